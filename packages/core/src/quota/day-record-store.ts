import { applyExhaust, applyReserve, applySettle, type QuotaDay, usageOf } from "./quota-day.js"
import type { QuotaStore, QuotaUsage, ReserveRequest, ReserveResult, SettleRequest } from "./quota-store.js"

/**
 * A `QuotaStore` whose medium can change one day's record atomically (a lock file, a row locked in
 * a transaction, this process's memory). The arithmetic is core's (`quota-day.ts`), the same for
 * every medium; a store supplies only `change` and `read`.
 */
export abstract class DayRecordStore implements QuotaStore {
  abstract readonly location: string

  abstract read(day: string): Promise<QuotaUsage>

  /**
   * Applies `f` to the day's record atomically and keeps the record it returns. `holderId` names
   * the holder the change is for (a store may refresh that holder's lease), undefined for `exhaust`.
   */
  protected abstract change<A>(
    day: string,
    holderId: string | undefined,
    f: (record: QuotaDay) => readonly [QuotaDay, A]
  ): Promise<A>

  reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.change(request.day, request.holder.id, (record) => {
      const { record: next, result } = applyReserve(record, request)
      return [next, result]
    })
  }

  settle(request: SettleRequest): Promise<QuotaUsage> {
    // Nothing to settle: no lock, no write.
    if (request.commit === 0 && request.release === 0) return this.read(request.day)
    return this.change(request.day, request.holder.id, (record) => {
      const next = applySettle(record, request)
      return [next, usageOf(next, request.holder)]
    })
  }

  exhaust(day: string, limit: number): Promise<QuotaUsage> {
    return this.change(day, undefined, (record) => {
      const next = applyExhaust(record, limit)
      return [next, usageOf(next)]
    })
  }
}
