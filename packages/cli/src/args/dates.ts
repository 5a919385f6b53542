// The light entry: checking a date flag loads no more of core.
import { FIRST_API_DAY } from "@tikflow/core/api-days"
import { usageError } from "../cli-error.js"

/** What a day option takes, for messages and help. */
export const DAY_FORMS = "a date YYYY-MM-DD, today, yesterday or -Nd (N days before today)"

const DAY_MS = 86_400_000

/**
 * A day as the CLI takes it (UTC): `YYYY-MM-DD`, or `today`, `yesterday`, `-Nd` resolved against
 * `today` (the CLI's clock, so a daily cron line and a test both mean the day they run on); checked
 * to be a real date on or after FIRST_API_DAY.
 */
export const parseDate = (flag: string, raw: string, today: Date): string => {
  const date = relativeDay(raw, today) ?? calendarDate(flag, raw)
  if (date < FIRST_API_DAY) {
    throw usageError(`${flag}: ${raw === date ? raw : `${raw} (${date})`} is before the Research API's data starts; expected a date on or after ${FIRST_API_DAY}`)
  }
  return date
}

/** `today`, `yesterday`, `-Nd` as `YYYY-MM-DD`, or undefined for anything else. */
const relativeDay = (raw: string, today: Date): string | undefined => {
  const daysBack = raw === "today" ? 0 : raw === "yesterday" ? 1 : /^-(\d{1,6})d$/.exec(raw)?.[1]
  if (daysBack === undefined) return undefined
  const todayStart = Math.floor(today.getTime() / DAY_MS) * DAY_MS
  return new Date(todayStart - Number(daysBack) * DAY_MS).toISOString().slice(0, 10)
}

const calendarDate = (flag: string, raw: string): string => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw)
  if (!match) throw usageError(`${flag}: expected ${DAY_FORMS}, got ${JSON.stringify(raw)}`)
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw usageError(`${flag}: ${raw} is not a real date`)
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
  if (fromRaw === undefined) throw usageError(`--from: required, ${DAY_FORMS}`)
  if (toRaw === undefined) throw usageError(`--to: required, ${DAY_FORMS}`)
  return checkedRange({ from: parseDate("--from", fromRaw, today), to: parseDate("--to", toRaw, today) }, today, "--from", "--to")
}

/** A range ordered and not ending after `today`; `fromField`/`toField` name the two in messages. */
export const checkedRange = (range: DateRange, today: Date, fromField: string, toField: string): DateRange => {
  if (range.from > range.to) throw usageError(`${fromField}: ${range.from} is after ${toField} ${range.to}; expected ${fromField} ≤ ${toField}`)
  const todayText = today.toISOString().slice(0, 10)
  if (range.to > todayText) throw usageError(`${toField}: ${range.to} is in the future (today is ${todayText} UTC)`)
  return range
}

/** Days in an inclusive range. */
export const daysInRange = (range: DateRange): number =>
  Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / DAY_MS) + 1
