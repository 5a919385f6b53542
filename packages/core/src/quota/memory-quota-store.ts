import { DayRecordStore } from "./day-record-store.js"
import { changeDay, dayOf, type QuotaDay, usageOf } from "./quota-day.js"
import type { QuotaUsage } from "./quota-store.js"

/** A ledger in this process's memory: for a library client given no ledger, and for tests. */
export class MemoryQuotaStore extends DayRecordStore {
  readonly location = "memory"
  private record: QuotaDay | undefined

  read(day: string): Promise<QuotaUsage> {
    return Promise.resolve(usageOf(dayOf(this.record, day)))
  }

  protected change<A>(day: string, _holderId: string | undefined, f: (record: QuotaDay) => readonly [QuotaDay, A]): Promise<A> {
    const { next, result } = changeDay(this.record, day, f)
    if (next !== undefined) this.record = next
    return Promise.resolve(result)
  }
}
