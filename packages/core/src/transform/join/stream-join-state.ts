import { JoinStateOverflowError } from "./join-errors.js"

export type StreamJoinType = "inner" | "left"

export interface StreamJoinOptions<L, R, Out> {
  readonly leftKey: (left: L) => string
  readonly rightKey: (right: R) => string
  /** `inner` (default) or `left`: every left record at least once, with `null` when unmatched. */
  readonly type?: StreamJoinType | undefined
  readonly combine: (left: L, right: R | null) => Out
  /** Most records buffered across both sides. Default 100,000. */
  readonly maxBuffered?: number | undefined
}

/** One input event of a stream-stream join, in arrival order. */
export type JoinEvent<L, R> =
  | { readonly side: "left"; readonly value: L }
  | { readonly side: "right"; readonly value: R }
  | { readonly side: "left-end" }
  | { readonly side: "right-end" }

interface BufferedLeft<L> {
  readonly value: L
  matched: boolean
}

/**
 * The state machine both join forms share (symmetric hash join). Each side is buffered only
 * while the other side may still send a match: once the right side ends, lefts stream through
 * (joined against the buffered rights) and are no longer kept; once the left side ends, rights
 * are no longer kept. A left join emits unmatched lefts with `null` when the right side ends (or
 * at once, if it already has). Output = the nested-loop join, in an order set by arrival.
 */
export class StreamJoinState<L, R, Out> {
  private readonly lefts = new Map<string, Array<BufferedLeft<L>>>()
  private readonly leftOrder: Array<BufferedLeft<L>> = []
  private readonly rights = new Map<string, Array<R>>()
  private buffered = 0
  private leftDone = false
  private rightDone = false
  private readonly type: StreamJoinType
  private readonly maxBuffered: number

  constructor(private readonly options: StreamJoinOptions<L, R, Out>) {
    this.type = options.type ?? "inner"
    this.maxBuffered = options.maxBuffered ?? 100_000
  }

  /** Feeds events; returns the joined output or the overflow error. */
  feed(events: Iterable<JoinEvent<L, R>>): Array<Out> | JoinStateOverflowError {
    const out: Array<Out> = []
    for (const event of events) {
      const error = this.step(event, out)
      if (error !== undefined) return error
    }
    return out
  }

  get bufferedRecords(): number {
    return this.buffered
  }

  private step(event: JoinEvent<L, R>, out: Array<Out>): JoinStateOverflowError | undefined {
    const { combine } = this.options
    switch (event.side) {
      case "left": {
        const key = this.options.leftKey(event.value)
        const matches = this.rights.get(key)
        if (matches !== undefined) for (const right of matches) out.push(combine(event.value, right))
        const matched = matches !== undefined && matches.length > 0
        if (this.rightDone) {
          if (!matched && this.type === "left") out.push(combine(event.value, null))
          return undefined
        }
        if (this.buffered >= this.maxBuffered) return this.overflow("left")
        const entry: BufferedLeft<L> = { value: event.value, matched }
        const list = this.lefts.get(key)
        if (list === undefined) this.lefts.set(key, [entry])
        else list.push(entry)
        this.leftOrder.push(entry)
        this.buffered++
        return undefined
      }
      case "right": {
        const key = this.options.rightKey(event.value)
        const matches = this.lefts.get(key)
        if (matches !== undefined) {
          for (const left of matches) {
            left.matched = true
            out.push(combine(left.value, event.value))
          }
        }
        if (this.leftDone) return undefined
        if (this.buffered >= this.maxBuffered) return this.overflow("right")
        const list = this.rights.get(key)
        if (list === undefined) this.rights.set(key, [event.value])
        else list.push(event.value)
        this.buffered++
        return undefined
      }
      case "left-end": {
        this.leftDone = true
        for (const list of this.rights.values()) this.buffered -= list.length
        this.rights.clear()
        return undefined
      }
      case "right-end": {
        this.rightDone = true
        if (this.type === "left") {
          for (const left of this.leftOrder) if (!left.matched) out.push(combine(left.value, null))
        }
        this.buffered -= this.leftOrder.length
        this.leftOrder.length = 0
        this.lefts.clear()
        return undefined
      }
    }
  }

  private overflow(side: "left" | "right"): JoinStateOverflowError {
    return new JoinStateOverflowError({
      side,
      maxBuffered: this.maxBuffered,
      message: `stream join: more than ${this.maxBuffered} records buffered waiting for matches (adding a ${side} record); raise maxBuffered`
    })
  }
}
