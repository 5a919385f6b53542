import type { HarvestRecord } from "./harvest-record.js"

/**
 * Where harvest records live (see `HarvestRecord`): files under the state directory, or a table
 * of a team's coordinator database. A store only reads and atomically rewrites one record at a
 * time; what a record means (planning, coverage) is the caller's. Like `QuotaStore`, a store for
 * another medium implements just these three methods.
 */
export interface HistoryStore {
  /** Where the records live, for messages (a path, a redacted URI). Never a secret. */
  readonly location: string
  /** The harvest's record, undefined when it has none. */
  read(id: string): Promise<HarvestRecord | undefined>
  /**
   * Atomically (no other `update` of the same id interleaves, in this or another process): reads
   * the record (undefined when none), stores what `f` returns, and returns it.
   */
  update(id: string, f: (record: HarvestRecord | undefined) => HarvestRecord): Promise<HarvestRecord>
  /** Every record, oldest first (by `createdAt`). */
  list(): Promise<ReadonlyArray<HarvestRecord>>
}
