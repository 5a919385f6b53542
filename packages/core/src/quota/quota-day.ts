import type { QuotaHolder, QuotaUsage, ReserveRequest, ReserveResult, SettleRequest } from "./quota-store.js"

/** One UTC day of a ledger as a local store keeps it: the arithmetic shared by the file and memory stores. */
export interface QuotaDay {
  readonly day: string
  readonly used: number
  /** Reservations by holder id. */
  readonly holders: Readonly<Record<string, { readonly pid: number; readonly host: string; readonly units: number }>>
}

export const emptyDay = (day: string): QuotaDay => ({ day, used: 0, holders: {} })

/** The record for `day`: a record of an earlier day counts nothing (the quota reset at 00:00 UTC). */
export const dayOf = (record: QuotaDay | undefined, day: string): QuotaDay =>
  record !== undefined && record.day === day ? record : emptyDay(day)

/**
 * Applies a change for `day` to the stored record. `next` is undefined when nothing is to be
 * written: the record did not change, or it already belongs to a later day (a holder settling
 * yesterday's block after midnight must not overwrite today).
 */
export const changeDay = <A>(
  stored: QuotaDay | undefined,
  day: string,
  f: (record: QuotaDay) => readonly [QuotaDay, A]
): { readonly next: QuotaDay | undefined; readonly result: A } => {
  const past = stored !== undefined && stored.day > day
  const [next, result] = f(past ? emptyDay(day) : dayOf(stored, day))
  const changed = !past && JSON.stringify(next) !== JSON.stringify(stored)
  return { next: changed ? next : undefined, result }
}

const reservedOf = (record: QuotaDay): number => Object.values(record.holders).reduce((sum, h) => sum + h.units, 0)

export const usageOf = (record: QuotaDay, holder?: QuotaHolder): QuotaUsage => ({
  day: record.day,
  used: record.used,
  reserved: reservedOf(record),
  held: holder === undefined ? 0 : record.holders[holder.id]?.units ?? 0
})

const withHolding = (record: QuotaDay, holder: QuotaHolder, units: number): QuotaDay => {
  const { [holder.id]: _previous, ...others } = record.holders
  return { ...record, holders: units > 0 ? { ...others, [holder.id]: { pid: holder.pid, host: holder.host, units } } : others }
}

/** Commits then releases part of a holder's block; never more than it holds (a day's reset drops old blocks). */
export const applySettle = (record: QuotaDay, request: Omit<SettleRequest, "day">): QuotaDay => {
  const held = record.holders[request.holder.id]?.units ?? 0
  const commit = Math.min(request.commit, held)
  const release = Math.min(request.release, held - commit)
  return withHolding({ ...record, used: record.used + commit }, request.holder, held - commit - release)
}

export const applyReserve = (record: QuotaDay, request: Omit<ReserveRequest, "day">): { record: QuotaDay; result: ReserveResult } => {
  const settled = applySettle(record, { holder: request.holder, commit: request.commit, release: 0 })
  const free = Math.max(0, request.limit - settled.used - reservedOf(settled))
  const granted = Math.min(free, request.units)
  const held = settled.holders[request.holder.id]?.units ?? 0
  const next = withHolding(settled, request.holder, held + granted)
  return { record: next, result: { granted, usage: usageOf(next, request.holder) } }
}

export const applyExhaust = (record: QuotaDay, limit: number): QuotaDay =>
  ({ ...record, used: Math.max(record.used, limit - reservedOf(record)) })

/** A crashed holder's block may have been sent: it stays counted, as used, and its entry goes. */
export const reapHolders = (record: QuotaDay, isDead: (holder: { readonly pid: number; readonly host: string }) => boolean): QuotaDay => {
  const dead = Object.entries(record.holders).filter(([, h]) => isDead(h))
  if (dead.length === 0) return record
  const holders = Object.fromEntries(Object.entries(record.holders).filter(([, h]) => !isDead(h)))
  return { ...record, used: record.used + dead.reduce((sum, [, h]) => sum + h.units, 0), holders }
}
