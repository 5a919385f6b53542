/** UTC calendar days as `YYYY-MM-DD`, the unit of the history's coverage and of the quota. */
const DAY_MS = 86_400_000

const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`)

export const dayOfTime = (time: string | number): string => new Date(time).toISOString().slice(0, 10)

export const addDays = (day: string, n: number): string => dayOfTime(dayMs(day) + n * DAY_MS)

/** Every day from `from` to `to`, both included (empty when `to` is before `from`). */
export const daysFrom = (from: string, to: string): Array<string> => {
  const count = Math.round((dayMs(to) - dayMs(from)) / DAY_MS) + 1
  return Array.from({ length: Math.max(0, count) }, (_, i) => addDays(from, i))
}

/** 0 = Monday … 6 = Sunday, so a calendar's weeks start on Monday (ISO 8601). */
export const weekdayOf = (day: string): number => (new Date(dayMs(day)).getUTCDay() + 6) % 7

/** The smallest range holding every day given (undefined for none). */
export const spanOf = (days: Iterable<string>): { from: string; to: string } | undefined => {
  let from: string | undefined
  let to: string | undefined
  for (const day of days) {
    if (from === undefined || day < from) from = day
    if (to === undefined || day > to) to = day
  }
  return from === undefined || to === undefined ? undefined : { from, to }
}
