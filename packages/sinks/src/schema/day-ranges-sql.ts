import { dayBounds } from "@tikflow/core/internal"

/**
 * A SQL condition: `field` (an already quoted column of unix seconds) within any of the UTC days,
 * each a half-open range. For the database sinks' deletes of days fetched again.
 */
export const dayRangesSql = (field: string, days: ReadonlyArray<string>): string =>
  days.map((day) => {
    const [start, end] = dayBounds(day)
    return `(${field} >= ${start} AND ${field} < ${end})`
  }).join(" OR ")
