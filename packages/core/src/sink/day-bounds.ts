const DAY_SECONDS = 86_400

/** The unix-seconds range `[start, end)` of a UTC day `YYYY-MM-DD`. */
export const dayBounds = (day: string): readonly [number, number] => {
  const start = Date.parse(`${day}T00:00:00Z`) / 1000
  if (!Number.isFinite(start)) throw new RangeError(`day: expected YYYY-MM-DD, got ${JSON.stringify(day)}`)
  return [start, start + DAY_SECONDS]
}

/** The UTC day `YYYY-MM-DD` of a unix time in seconds; undefined for a value that is not a finite number. */
export const dayOfUnixSeconds = (seconds: unknown): string | undefined =>
  typeof seconds === "number" && Number.isFinite(seconds)
    ? new Date(Math.floor(seconds / DAY_SECONDS) * DAY_SECONDS * 1000).toISOString().slice(0, 10)
    : undefined

/**
 * The day a row is kept apart under (`context.provisional`): its UTC day when its `field` is at or
 * after `from`, else undefined (a day no later run fetches again).
 */
export const provisionalDayOf = (record: unknown, provisional: { readonly field: string; readonly from: number } | undefined): string | undefined => {
  if (provisional === undefined) return undefined
  const seconds = (record as Record<string, unknown>)[provisional.field]
  return typeof seconds === "number" && seconds >= provisional.from ? dayOfUnixSeconds(seconds) : undefined
}

/** Whether a row's `field` (unix seconds) falls on one of `days` (UTC, `YYYY-MM-DD`). */
export const inDays = (record: unknown, field: string, days: ReadonlySet<string>): boolean => {
  const day = dayOfUnixSeconds((record as Record<string, unknown>)[field])
  return day !== undefined && days.has(day)
}
