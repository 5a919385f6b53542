/**
 * Where the daily quota is counted: one record per client and UTC day, shared by every process
 * that harvests with the client's key. A store only does atomic arithmetic on that record; the
 * block logic (reserve ahead, count locally, settle in batches) lives in `QuotaLedger`, so a store
 * for another medium (a file today, a PostgreSQL row for a team) implements just these methods.
 *
 * Every unit of the day is in one of three states: `used` (a request counted as sent),
 * `reserved` by a holder (a running ledger's block: units it may still spend or has spent but not
 * yet committed), or free. A store never lets `used + reserved` exceed the limit of a reservation.
 */
export interface QuotaStore {
  /** Where the ledger lives, for messages (a path, a redacted URI). Never a secret. */
  readonly location: string
  /**
   * Atomically: commits `commit` units of `holder`'s reservation as used, then reserves up to
   * `units` more for it within `limit` (fewer, possibly 0, when the day has fewer free units).
   */
  reserve(request: ReserveRequest): Promise<ReserveResult>
  /**
   * Atomically: commits `commit` units of `holder`'s reservation as used and gives `release`
   * unspent ones back. With both 0 it is a no-op. A holder that releases all it holds leaves no trace.
   */
  settle(request: SettleRequest): Promise<QuotaUsage>
  /** Marks the day spent (the API said so, whatever the count): `used` becomes at least `limit` minus the reservations. */
  exhaust(day: string, limit: number): Promise<QuotaUsage>
  /** The day's counts, without changing them. */
  read(day: string): Promise<QuotaUsage>
}

/** A holder is one running ledger (one client in one process); `pid` lets a store tell a dead holder's block from a live one. */
export interface QuotaHolder {
  readonly id: string
  readonly pid: number
  readonly host: string
}

export interface ReserveRequest {
  readonly day: string
  readonly holder: QuotaHolder
  readonly limit: number
  readonly units: number
  readonly commit: number
}

export interface ReserveResult {
  readonly granted: number
  readonly usage: QuotaUsage
}

export interface SettleRequest {
  readonly day: string
  readonly holder: QuotaHolder
  readonly commit: number
  readonly release: number
}

/** One UTC day of the ledger. */
export interface QuotaUsage {
  readonly day: string
  /** Requests counted as sent (including blocks of crashed holders, which may have been sent). */
  readonly used: number
  /** Units held by running ledgers, spent or not yet committed. */
  readonly reserved: number
  /** What this holder holds (0 for a reader). */
  readonly held: number
}

const DAY_MS = 86_400_000
/** The ledger's day: the API resets its quota at 00:00 UTC. */
export const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10)
export const nextUtcMidnight = (now: number): number => (Math.floor(now / DAY_MS) + 1) * DAY_MS
