import { daysFrom, weekdayOf } from "./days.js"
import { formatTime } from "./format-values.js"
import { type Html, html, join } from "./html.js"
import type { CoveredDay, DayState } from "./report-data.js"

export interface CalendarDay {
  readonly day: string
  readonly state: DayState
  readonly fetchedAt: string | undefined
}

/** Every day of `from`..`to` with its state: covered or provisional as the history says, else missing. */
export const calendarDays = (from: string, to: string, covered: ReadonlyArray<CoveredDay>): Array<CalendarDay> => {
  const byDay = new Map(covered.map((day) => [day.day, day]))
  return daysFrom(from, to).map((day) => {
    const entry = byDay.get(day)
    return { day, state: entry === undefined ? "missing" : entry.provisional ? "provisional" : "covered", fetchedAt: entry?.fetchedAt }
  })
}

const CELL = 12
const STEP = CELL + 2
const LEFT = 30
const TOP = 18
const WEEKDAYS = ["Mon", "", "Wed", "", "Fri", "", ""]

/** The range as a calendar: a column per week (Monday first), a cell per day coloured by its state. */
export const calendarStrip = (days: ReadonlyArray<CalendarDay>): Html => {
  if (days.length === 0) return html``
  const offset = weekdayOf(days[0]!.day)
  const weeks = Math.ceil((offset + days.length) / 7)
  // Wide enough for a month label over a range of a week or two.
  const width = Math.max(LEFT + weeks * STEP + 2, LEFT + 56)
  const height = TOP + 7 * STEP
  const cells = days.map((entry, i) => {
    const slot = offset + i
    const fetched = entry.fetchedAt === undefined ? "" : `, fetched ${formatTime(entry.fetchedAt)}`
    return html`<rect class="day ${entry.state}" data-day="${entry.day}" data-state="${entry.state}" x="${LEFT + Math.floor(slot / 7) * STEP}" y="${TOP + (slot % 7) * STEP}" width="${CELL}" height="${CELL}" rx="2"><title>${entry.day}: ${entry.state}${fetched}</title></rect>`
  })
  return html`<svg class="calendar" data-chart="coverage" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="days covered, provisional and missing">
${join(WEEKDAYS.map((name, row) => name === "" ? "" : html`<text class="tick" x="${LEFT - 4}" y="${TOP + row * STEP + CELL - 2}" text-anchor="end">${name}</text>`))}
${monthLabels(days, offset)}
${join(cells, "\n")}
</svg>`
}

/** `2024-03` over the week where each month starts (and over the first week), if there is room. */
const monthLabels = (days: ReadonlyArray<CalendarDay>, offset: number): Html => {
  let lastColumn = -Infinity
  const labels = days.flatMap((entry, i) => {
    if (i !== 0 && !entry.day.endsWith("-01")) return []
    const column = Math.floor((offset + i) / 7)
    if (column - lastColumn < 4) return []
    lastColumn = column
    return [html`<text class="tick" x="${LEFT + column * STEP}" y="${TOP - 6}">${entry.day.slice(0, 7)}</text>`]
  })
  return join(labels)
}
