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
  /**
   * Optional window, in arrivals: a left and a right record match only if at most `window`
   * records (of either side) arrive from the first to the second. Older records are evicted (a
   * left join then emits an unmatched left with `null`). Without it, records are kept until the
   * other side ends: the exact join, bounded by `maxBuffered`.
   */
  readonly window?: number | undefined
}

/** One input event of a stream-stream join, in arrival order. */
export type JoinEvent<L, R> =
  | { readonly side: "left"; readonly value: L }
  | { readonly side: "right"; readonly value: R }
  | { readonly side: "left-end" }
  | { readonly side: "right-end" }

interface Buffered<A> {
  readonly value: A
  readonly key: string
  readonly arrival: number
  matched: boolean
  evicted: boolean
}

/** Records of one side in arrival order, indexed by key; evicted from the oldest. */
class SideBuffer<A> {
  private readonly byKey = new Map<string, Array<Buffered<A>>>()
  private order: Array<Buffered<A>> = []
  private head = 0

  get size(): number {
    return this.order.length - this.head
  }

  add(entry: Buffered<A>): void {
    const list = this.byKey.get(entry.key)
    if (list === undefined) this.byKey.set(entry.key, [entry])
    else list.push(entry)
    this.order.push(entry)
  }

  matches(key: string): ReadonlyArray<Buffered<A>> {
    return this.byKey.get(key) ?? []
  }

  /** Removes entries that arrived before `arrival`, oldest first, handing each to `onEvict`. */
  evictBefore(arrival: number, onEvict: (entry: Buffered<A>) => void): void {
    while (this.head < this.order.length && this.order[this.head].arrival < arrival) {
      const entry = this.order[this.head++]
      entry.evicted = true
      const list = this.byKey.get(entry.key)
      // Same-key entries are in arrival order too: the evicted one is the list's first.
      if (list !== undefined) {
        list.shift()
        if (list.length === 0) this.byKey.delete(entry.key)
      }
      onEvict(entry)
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
  }

  /** Every remaining entry in arrival order, emptying the buffer. */
  drain(): Array<Buffered<A>> {
    const rest = this.order.slice(this.head)
    this.order = []
    this.head = 0
    this.byKey.clear()
    return rest
  }
}

/**
 * The state machine both join forms share (symmetric hash join). Each side is buffered only
 * while the other side may still send a match: once the right side ends, lefts stream through
 * (joined against the buffered rights) and are no longer kept; once the left side ends, rights
 * are no longer kept. A left join emits unmatched lefts with `null` when the right side ends (or
 * at once, if it already has), or when the window evicts them. Output = the nested-loop join
 * (restricted to pairs within the window, if any), in an order set by arrival.
 */
export class StreamJoinState<L, R, Out> {
  private readonly lefts = new SideBuffer<L>()
  private readonly rights = new SideBuffer<R>()
  private leftDone = false
  private rightDone = false
  private arrivals = 0
  private readonly type: StreamJoinType
  private readonly maxBuffered: number
  private readonly window: number | undefined

  constructor(private readonly options: StreamJoinOptions<L, R, Out>) {
    this.type = options.type ?? "inner"
    this.maxBuffered = options.maxBuffered ?? 100_000
    this.window = options.window
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
    return this.lefts.size + this.rights.size
  }

  private step(event: JoinEvent<L, R>, out: Array<Out>): JoinStateOverflowError | undefined {
    const { combine } = this.options
    switch (event.side) {
      case "left": {
        const arrival = this.arrive(out)
        const key = this.options.leftKey(event.value)
        const matches = this.rights.matches(key)
        for (const right of matches) out.push(combine(event.value, right.value))
        const matched = matches.length > 0
        if (this.rightDone) {
          if (!matched && this.type === "left") out.push(combine(event.value, null))
          return undefined
        }
        if (this.bufferedRecords >= this.maxBuffered) return this.overflow("left")
        this.lefts.add({ value: event.value, key, arrival, matched, evicted: false })
        return undefined
      }
      case "right": {
        const arrival = this.arrive(out)
        const key = this.options.rightKey(event.value)
        for (const left of this.lefts.matches(key)) {
          left.matched = true
          out.push(combine(left.value, event.value))
        }
        if (this.leftDone) return undefined
        if (this.bufferedRecords >= this.maxBuffered) return this.overflow("right")
        this.rights.add({ value: event.value, key, arrival, matched: false, evicted: false })
        return undefined
      }
      case "left-end": {
        this.leftDone = true
        this.rights.drain()
        return undefined
      }
      case "right-end": {
        this.rightDone = true
        for (const left of this.lefts.drain()) this.emitUnmatched(left, out)
        return undefined
      }
    }
  }

  /** Counts an arrival and evicts what falls out of the window; returns the arrival number. */
  private arrive(out: Array<Out>): number {
    const arrival = this.arrivals++
    if (this.window !== undefined) {
      const oldest = arrival - this.window
      this.lefts.evictBefore(oldest, (left) => this.emitUnmatched(left, out))
      this.rights.evictBefore(oldest, () => {})
    }
    return arrival
  }

  private emitUnmatched(left: Buffered<L>, out: Array<Out>): void {
    if (!left.matched && this.type === "left") out.push(this.options.combine(left.value, null))
  }

  private overflow(side: "left" | "right"): JoinStateOverflowError {
    return new JoinStateOverflowError({
      side,
      maxBuffered: this.maxBuffered,
      message: `stream join: more than ${this.maxBuffered} records buffered waiting for matches (adding a ${side} record); raise maxBuffered${
        this.window === undefined ? " or set a window" : ""
      }`
    })
  }
}
