import { usageError } from "../cli-error.js"

/**
 * The first day the Research API can hold videos for: musical.ly, whose videos TikTok took over,
 * launched in 2014. A window before it costs a request and can only come back empty.
 * The same day as `FIRST_API_DAY` of @tikflow/sources (not imported: the CLI loads it lazily).
 */
export const FIRST_API_DAY = "2014-01-01"

/** A calendar date as the CLI takes it (`YYYY-MM-DD`, UTC), checked to be a real date on or after FIRST_API_DAY. */
export const parseDate = (flag: string, raw: string): string => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw)
  if (!match) throw usageError(`${flag}: expected a date YYYY-MM-DD, got ${JSON.stringify(raw)}`)
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw usageError(`${flag}: ${raw} is not a real date`)
  }
  if (raw < FIRST_API_DAY) {
    throw usageError(`${flag}: ${raw} is before the Research API's data starts; expected a date on or after ${FIRST_API_DAY}`)
  }
  return raw
}

export interface DateRange {
  readonly from: string
  readonly to: string
}

/**
 * `--from`/`--to` as an inclusive UTC range. Any length is fine (tikflow splits it into windows of
 * at most 30 days); it must be ordered and not end in the future.
 */
export const parseDateRange = (fromRaw: string | undefined, toRaw: string | undefined, today: Date): DateRange => {
  if (fromRaw === undefined) throw usageError("--from: required, a date YYYY-MM-DD")
  if (toRaw === undefined) throw usageError("--to: required, a date YYYY-MM-DD")
  const from = parseDate("--from", fromRaw)
  const to = parseDate("--to", toRaw)
  if (from > to) throw usageError(`--from: ${from} is after --to ${to}; expected --from ≤ --to`)
  const todayText = today.toISOString().slice(0, 10)
  if (to > todayText) throw usageError(`--to: ${to} is in the future (today is ${todayText} UTC)`)
  return { from, to }
}

/** Days in an inclusive range. */
export const daysInRange = (range: DateRange): number =>
  Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / 86_400_000) + 1
