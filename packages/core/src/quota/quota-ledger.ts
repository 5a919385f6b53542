import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { FileQuotaStore } from "./file-quota-store.js"
import { MemoryQuotaStore } from "./memory-quota-store.js"
import { nextUtcMidnight, type QuotaHolder, type QuotaStore, type QuotaUsage, utcDay } from "./quota-store.js"

/** The quota of one UTC day as this ledger sees it. */
export interface QuotaSnapshot {
  /** Requests counted as sent today: committed by every holder, plus this ledger's not yet committed. */
  readonly used: number
  /** Units other running harvests hold in their blocks (or crashed ones stranded): not free to us. */
  readonly reserved: number
  readonly limit: number
  /** ISO-8601 time of the next reset (the next 00:00 UTC). */
  readonly resetAt: string
  readonly resetAtMs: number
}

export interface QuotaLedgerOptions {
  /** Requests per UTC day (the API's default is 1,000). */
  readonly limit?: number
  /** A JSON file shared by every process (a `FileQuotaStore`); ignored when `store` is given. */
  readonly path?: string
  /** Where the day is counted; default the file at `path`, else this process's memory. */
  readonly store?: QuotaStore
  /**
   * The largest block reserved at once (default 1% of `limit`, at least 10 and at most 100: 10 for
   * the API's 1,000 a day); near the end of the budget blocks shrink to 1.
   */
  readonly maxBlock?: number
}

/**
 * A unit of quota handed out for one request. `charge()` once the request was sent (see
 * `docs/architecture.md`, "Quota": it reached the server), `refund()` when it provably never left
 * (connection refused, DNS failure, connect timeout): the unit goes back to the block.
 */
export interface QuotaTicket {
  charge(): void
  refund(): void
}

export type QuotaTake =
  | { readonly granted: true; readonly ticket: QuotaTicket; readonly snapshot: QuotaSnapshot }
  /** `mayFree`: units are held by running holders (or our own requests in flight) that may still come back. */
  | { readonly granted: false; readonly snapshot: QuotaSnapshot; readonly mayFree: boolean }

/** 1% of the day's limit, at least 10 and at most 100. */
const defaultMaxBlock = (limit: number): number => Math.min(100, Math.max(10, Math.floor(limit / 100)))

/**
 * One process's view of the daily request budget. It reserves a block of units in the shared
 * store under the store's lock, hands them out locally (no I/O per request), and settles with the
 * store when the block runs out (committing what was sent in the same locked write) and on
 * `close()` (giving back what was not sent). While requests spend the block, it tops the block up
 * in the background (see `topUp`), so a request waits on the store's locked, fsynced write only
 * when the store cannot keep up. Concurrent processes therefore never exceed the day's budget
 * together: a unit is reserved in the store before any request may spend it. A process killed
 * with SIGKILL strands at most one block of unsent units (`maxBlock`), counted as used.
 * The caller passes `now` (epoch ms): the ledger has no clock of its own.
 */
export class QuotaLedger {
  readonly limit: number
  readonly store: QuotaStore
  private readonly maxBlock: number
  private readonly holder: QuotaHolder = { id: randomBytes(6).toString("hex"), pid: process.pid, host: hostname() }
  private day = ""
  /** Units the store counts as ours: reserved, spent or not, not yet committed. */
  private held = 0
  /** Of `held`: spent (charged) since the last commit. */
  private spent = 0
  /** Of `held`: handed out, neither charged nor refunded yet. */
  private inFlight = 0
  private usage: QuotaUsage | undefined
  /** Bumped when the day rolls over or the ledger closes: older tickets no longer count. */
  private generation = 0
  private queue: Promise<unknown> = Promise.resolve()
  /** The background top-up in progress, if any (see `topUp`). */
  private toppingUp: Promise<unknown> | undefined
  /** The last top-up was granted nothing: none again until a reservation that waits is granted units. */
  private topUpRefused = false

  constructor(options: QuotaLedgerOptions = {}) {
    const limit = options.limit ?? 1000
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`quota.limit: expected an integer ≥ 1, got ${limit}`)
    // A larger budget takes larger blocks: fewer locked, fsynced writes per request, and a SIGKILL
    // strands the same small share of the day.
    const maxBlock = options.maxBlock ?? defaultMaxBlock(limit)
    if (!Number.isInteger(maxBlock) || maxBlock < 1) throw new RangeError(`quota.maxBlock: expected an integer ≥ 1, got ${maxBlock}`)
    this.limit = limit
    this.maxBlock = maxBlock
    this.store = options.store ?? (options.path !== undefined ? new FileQuotaStore(options.path) : new MemoryQuotaStore())
  }

  /** Where the ledger lives (a file path, `memory`, …), for messages. */
  get location(): string {
    return this.store.location
  }

  /** Hands out one unit for a request, reserving a new block from the store when ours is used up. */
  async take(now: number): Promise<QuotaTake> {
    for (;;) {
      const local = this.takeHeld(now)
      if (local !== undefined) return local
      // A top-up on its way may bring units: wait for it rather than queue a second reservation.
      if (this.toppingUp !== undefined) {
        await this.toppingUp
        continue
      }
      const granted = await this.serialized(() => this.refill(now))
      if (granted > 0) this.topUpRefused = false
      if (granted === 0 && this.available() === 0) {
        const usage = this.usage
        const othersHold = usage === undefined ? 0 : usage.reserved - usage.held
        return { granted: false, snapshot: this.snapshotAt(now), mayFree: othersHold > 0 || this.inFlight > 0 }
      }
    }
  }

  /**
   * `take` without I/O: a unit of the block already held, or `undefined` when the block is used up
   * (then `take` reserves the next one from the store). The hot path of every request.
   */
  takeHeld(now: number): QuotaTake & { readonly granted: true } | undefined {
    this.rollOver(now)
    if (this.available() === 0) return undefined
    const ticket = this.ticket()
    this.topUp(now)
    return { granted: true, ticket, snapshot: this.snapshotAt(now) }
  }

  /** Takes one unit and charges it at once (a request counted without a transport in between). */
  async consume(now: number): Promise<{ readonly granted: boolean; readonly snapshot: QuotaSnapshot }> {
    const taken = await this.take(now)
    if (!taken.granted) return { granted: false, snapshot: taken.snapshot }
    taken.ticket.charge()
    return { granted: true, snapshot: this.snapshotAt(now) }
  }

  /** Marks today's budget spent (the API said so with a daily-quota 429, whatever our count was). */
  exhaust(now: number): Promise<QuotaSnapshot> {
    return this.serialized(async () => {
      this.rollOver(now)
      await this.settle(this.spent, this.held - this.spent - this.inFlight)
      this.usage = { ...await this.store.exhaust(this.day, this.limit), held: this.held }
      return this.snapshotAt(now)
    })
  }

  /** The day's counts from the store (what other processes committed included). */
  snapshot(now: number): Promise<QuotaSnapshot> {
    return this.serialized(async () => {
      this.rollOver(now)
      const usage = await this.store.read(this.day)
      this.usage = { ...usage, held: this.held }
      return this.snapshotAt(now)
    })
  }

  /**
   * Commits what was sent and gives the rest of the block back. Units still in flight are counted
   * as sent (their requests may have left). Waits for any store update in progress, so a process
   * that exits after `close()` leaves neither a lock file nor a stranded block.
   */
  close(): Promise<void> {
    return this.serialized(async () => {
      if (this.day === "") return
      await this.settle(this.spent + this.inFlight, this.held - this.spent - this.inFlight)
      this.inFlight = 0
      this.generation++
    })
  }

  private available(): number {
    return this.held - this.spent - this.inFlight
  }

  /** A new UTC day: the old day's block belongs to a reset budget, its tickets no longer count. */
  private rollOver(now: number): void {
    const day = utcDay(now)
    if (day === this.day) return
    this.day = day
    this.generation++
    this.held = 0
    this.spent = 0
    this.inFlight = 0
    this.usage = undefined
  }

  private ticket(): QuotaTicket {
    this.inFlight++
    const generation = this.generation
    let settled = false
    const finish = (spent: boolean) => {
      if (settled || generation !== this.generation) return
      settled = true
      this.inFlight--
      if (spent) this.spent++
    }
    return { charge: () => finish(true), refund: () => finish(false) }
  }

  /**
   * Once half a block or more is missing from the unsent units (left to hand out or in flight),
   * reserves what brings them back to a block, in the background and one at a time: the requests go
   * on with the other half meanwhile, and wait for the store only when it is slower than half a
   * block of requests. At most two store changes per block; a SIGKILL still strands at most one block.
   * A failed top-up leaves the next `take` to reserve (and fail) itself; one granted nothing (the
   * budget's end) is not retried until a reservation that waits is granted units.
   */
  private topUp(now: number): void {
    if (this.toppingUp !== undefined || this.topUpRefused) return
    const target = this.blockSize()
    if (target - (this.held - this.spent) < Math.ceil(target / 2)) return
    const done = this.serialized(async () => {
      this.rollOver(now)
      const units = this.blockSize() - (this.held - this.spent)
      if (units > 0 && (await this.reserve(units)) === 0) this.topUpRefused = true
    })
    this.toppingUp = done.catch(() => undefined).finally(() => {
      this.toppingUp = undefined
    })
  }

  /** Commits the spent units and reserves the next block; its size shrinks as the day's free units do. */
  private async refill(now: number): Promise<number> {
    this.rollOver(now)
    if (this.available() > 0) return this.available()
    return this.reserve(this.blockSize())
  }

  /** Reserves `units` more, committing the spent ones in the same store change; resolves how many were granted. */
  private async reserve(units: number): Promise<number> {
    const commit = this.spent
    const { granted, usage } = await this.store.reserve({ day: this.day, holder: this.holder, limit: this.limit, units, commit })
    this.applyCommit(commit)
    this.held += granted
    this.usage = usage
    return granted
  }

  private blockSize(): number {
    const usage = this.usage
    const free = usage === undefined ? this.limit : this.limit - usage.used - usage.reserved
    // An eighth of what is free: several processes share the end of the budget instead of one holding it.
    return Math.max(1, Math.min(this.maxBlock, Math.ceil(free / 8)))
  }

  private async settle(commit: number, release: number): Promise<void> {
    if (commit === 0 && release <= 0) return
    this.usage = await this.store.settle({ day: this.day, holder: this.holder, commit, release: Math.max(0, release) })
    this.applyCommit(commit)
    this.held -= Math.max(0, release)
  }

  /** `commit` units were counted as used in the store: they leave our holding. */
  private applyCommit(commit: number): void {
    const fromSpent = Math.min(commit, this.spent)
    this.spent -= fromSpent
    this.inFlight = Math.max(0, this.inFlight - (commit - fromSpent))
    this.held -= commit
  }

  private snapshotAt(now: number): QuotaSnapshot {
    const usage = this.usage
    const resetAtMs = nextUtcMidnight(now)
    return {
      used: (usage?.used ?? 0) + this.spent,
      reserved: usage === undefined ? 0 : Math.max(0, usage.reserved - usage.held),
      limit: this.limit,
      resetAt: new Date(resetAtMs).toISOString(),
      resetAtMs
    }
  }

  /** Store updates run one at a time per ledger (the store's lock orders them across processes). */
  private serialized<A>(f: () => Promise<A>): Promise<A> {
    const next = this.queue.then(f, f)
    this.queue = next.catch(() => undefined)
    return next
  }
}
