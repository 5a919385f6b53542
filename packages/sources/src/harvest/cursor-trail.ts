import { CursorLoopError } from "@tikflow/core/internal"

/** How cursors of one walk must move: `ascending` for offsets; `any` when only repeats are known bad. */
export type CursorOrder = "ascending" | "any"

type Cursor = number | string

const asInteger = (cursor: Cursor): bigint | undefined => {
  const text = String(cursor)
  return /^-?\d+$/.test(text) ? BigInt(text) : undefined
}

/** Whether `received` is an integer below `sent`; safe integers (the video query's offsets) compared as numbers. */
const movesBack = (sent: Cursor, received: Cursor): boolean => {
  if (Number.isSafeInteger(sent) && Number.isSafeInteger(received)) return (received as number) < (sent as number)
  const [from, to] = [asInteger(sent), asInteger(received)]
  return from !== undefined && to !== undefined && to < from
}

/**
 * The cursors one paged walk (a date window, a user's list, a video's comments) has sent. A cursor
 * handed back that was already sent, or that goes backwards where cursors are offsets, would make
 * the walk page forever through pages already delivered, spending quota on each: `check` turns
 * it into a `CursorLoopError` at the first repeat, before another request is made.
 */
export class CursorTrail {
  readonly #sent = new Set<string>()

  constructor(
    private readonly endpoint: string,
    /** What is being walked, for the message: `window 20240101-20240130`, `user alice`. */
    private readonly label: string,
    private readonly order: CursorOrder
  ) {}

  /** Records that `sent` was sent and checks `received`, the cursor the API gave for the next page. */
  check(sent: Cursor | null, received: Cursor): CursorLoopError | undefined {
    if (sent !== null) this.#sent.add(String(sent))
    const problem = this.problemOf(sent, received)
    if (problem === undefined) return undefined
    return new CursorLoopError({
      endpoint: this.endpoint,
      key: this.label,
      cursor: String(received),
      message: `${this.label}: the API ${problem}, which would page forever; stopped without another request`
    })
  }

  private problemOf(sent: Cursor | null, received: Cursor): string | undefined {
    if (sent !== null && String(received) === String(sent)) return `returned cursor ${received} again for the page sent with it`
    if (this.#sent.has(String(received))) return `returned cursor ${received}, sent earlier (a cycle)`
    if (this.order === "ascending" && sent !== null && movesBack(sent, received)) return `moved the cursor backwards from ${sent} to ${received}`
    return undefined
  }
}
