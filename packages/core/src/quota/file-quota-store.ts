import { withLockFile } from "../files/lock-file.js"
import { isDeadHere } from "../files/process-alive.js"
import { readJsonFile } from "../files/read-json-file.js"
import { DayRecordStore } from "./day-record-store.js"
import { changeDay, dayOf, type QuotaDay, reapHolders, usageOf } from "./quota-day.js"
import type { QuotaUsage } from "./quota-store.js"
import { writeJsonAtomic } from "../files/atomic-write.js"

/**
 * The ledger as a JSON file shared by every process of the machine:
 * `{"version":2,"day":"YYYY-MM-DD","used":n,"holders":{"<id>":{"pid":p,"host":"h","units":n}}}`.
 * Each change re-reads the file under `<path>.lock` and replaces it atomically (temp file, fsync,
 * rename); the blocks of `QuotaLedger` make that one locked write per block of requests, not per
 * request. A version-1 file (`{"version":1,"day","used"}`) is read as having no holders.
 */
export class FileQuotaStore extends DayRecordStore {
  constructor(readonly location: string) {
    super()
  }

  /** Reads without the lock: the file is only ever replaced whole, so a reader sees a complete version. */
  async read(day: string): Promise<QuotaUsage> {
    return usageOf(reapHolders(dayOf(await readLedgerFile(this.location), day), isDeadHere))
  }

  protected change<A>(day: string, _holderId: string | undefined, f: (record: QuotaDay) => readonly [QuotaDay, A]): Promise<A> {
    return withLockFile(`${this.location}.lock`, async () => {
      const { next, result } = changeDay(await readLedgerFile(this.location), day, (record) => f(reapHolders(record, isDeadHere)))
      if (next !== undefined) await writeJsonAtomic(this.location, { version: 2, ...next })
      return result
    })
  }
}

const FORMAT = `{"version":2,"day":"YYYY-MM-DD","used":n,"holders":{…}}`

const readLedgerFile = async (path: string): Promise<QuotaDay | undefined> => {
  // A ledger we cannot read must not silently reset the count.
  const corrupt = () => new Error(`quota ledger ${path}: expected ${FORMAT}, the file is corrupt; fix or remove it`)
  const parsed = await readJsonFile(path, corrupt)
  if (parsed === undefined) return undefined
  const record = parsed as Partial<QuotaDay> | null
  if (
    record === null || typeof record.day !== "string" || !Number.isInteger(record.used) ||
    (record.holders !== undefined && (typeof record.holders !== "object" || record.holders === null))
  ) {
    throw corrupt()
  }
  return { day: record.day, used: record.used!, holders: record.holders ?? {} }
}
