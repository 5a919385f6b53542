import { InvalidParams } from "../api/invalid-params.js"

/** The longest window a video query may span: end − start ≤ 30 days. */
export const MAX_WINDOW_DAYS = 30

export interface DateWindow {
  /** UNIX seconds of 00:00 UTC of `start_date`. */
  readonly startSeconds: number
  /** UNIX seconds of 00:00 UTC of the day after `end_date` (both end dates are inclusive). */
  readonly endSeconds: number
}

const day = (name: string, raw: unknown): number => {
  if (typeof raw !== "string" || !/^\d{8}$/.test(raw)) throw new InvalidParams(`${name}: expected a date YYYYMMDD, got ${JSON.stringify(raw)}`)
  const y = Number(raw.slice(0, 4))
  const m = Number(raw.slice(4, 6))
  const d = Number(raw.slice(6, 8))
  const ms = Date.UTC(y, m - 1, d)
  const check = new Date(ms)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new InvalidParams(`${name}: ${raw} is not a calendar date`)
  }
  return ms / 1000
}

export const parseDateWindow = (startDate: unknown, endDate: unknown): DateWindow => {
  const start = day("start_date", startDate)
  const end = day("end_date", endDate)
  if (end < start) throw new InvalidParams("end_date: must not be before start_date")
  if (end - start > MAX_WINDOW_DAYS * 86400) {
    throw new InvalidParams(`end_date: the window from start_date to end_date must be at most ${MAX_WINDOW_DAYS} days`)
  }
  return { startSeconds: start, endSeconds: end + 86400 }
}
