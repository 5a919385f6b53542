import { applyExhaust, applyReserve, applySettle, changeDay, dayOf, type QuotaDay, usageOf } from "./quota-day.js"
import type { QuotaStore, QuotaUsage, ReserveRequest, ReserveResult, SettleRequest } from "./quota-store.js"

/** A ledger in this process's memory: for a library client given no ledger, and for tests. */
export class MemoryQuotaStore implements QuotaStore {
  readonly location = "memory"
  private record: QuotaDay | undefined

  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.change(request.day, (record) => {
      const { record: next, result } = applyReserve(record, request)
      return [next, result]
    })
  }

  settle(request: SettleRequest): Promise<QuotaUsage> {
    return this.change(request.day, (record) => {
      const next = applySettle(record, request)
      return [next, usageOf(next, request.holder)]
    })
  }

  exhaust(day: string, limit: number): Promise<QuotaUsage> {
    return this.change(day, (record) => {
      const next = applyExhaust(record, limit)
      return [next, usageOf(next)]
    })
  }

  read(day: string): Promise<QuotaUsage> {
    return Promise.resolve(usageOf(dayOf(this.record, day)))
  }

  private change<A>(day: string, f: (record: QuotaDay) => readonly [QuotaDay, A]): Promise<A> {
    const { next, result } = changeDay(this.record, day, f)
    if (next !== undefined) this.record = next
    return Promise.resolve(result)
  }
}
