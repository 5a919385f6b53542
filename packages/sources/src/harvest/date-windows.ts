import { ConfigError, FIRST_API_DAY } from "@tikflow/core/internal"

const DAY_MS = 86_400_000

/** `YYYYMMDD` or `YYYY-MM-DD` (UTC) as a day number since the epoch; `field` names the option. */
export const parseDay = (field: string, text: string): number => {
  const match = typeof text === "string" ? /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text) : null
  if (match === null) throw ConfigError.make(field, "a date YYYYMMDD or YYYY-MM-DD", text)
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const ms = Date.UTC(y, m - 1, d)
  const check = new Date(ms)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw ConfigError.make(field, "a calendar date", text)
  }
  return ms / DAY_MS
}


/** `parseDay`, also refusing days before `FIRST_API_DAY`. */
export const parseQueryDay = (field: string, text: string): number => {
  const day = parseDay(field, text)
  if (day < parseDay("FIRST_API_DAY", FIRST_API_DAY)) {
    throw ConfigError.make(field, `a date on or after ${FIRST_API_DAY}, when the Research API's data starts`, text)
  }
  return day
}

/** A day number as the API's `YYYYMMDD`. */
export const formatDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "")

/** Days of an inclusive `YYYYMMDD` range. */
export const daysOf = (start: string, end: string): number => parseDay("end", end) - parseDay("start", start) + 1

/** Inclusive [start, end] day ranges of at most `size` days covering [first, last]. */
export const splitDays = (first: number, last: number, size: number): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  for (let start = first; start <= last; start += size) out.push([start, Math.min(last, start + size - 1)])
  return out
}

/**
 * The windows a video query over `startDate..endDate` is split into (`YYYYMMDD` pairs), as
 * `videoQuery` splits it: what a work queue makes one item each.
 */
export const dateWindows = (startDate: string, endDate: string, windowDays: number): Array<readonly [string, string]> =>
  splitDays(parseQueryDay("startDate", startDate), parseQueryDay("endDate", endDate), windowDays).map(([s, e]) => [formatDay(s), formatDay(e)] as const)
