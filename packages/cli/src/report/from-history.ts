import { changedValuesOf, changeReasons, type HarvestRecord } from "@tikflow/core/internal"
import { queryOf } from "../harvest/harvest-history.js"
import { dayOfTime, spanOf } from "./days.js"
import type { Coverage, DayCount, HarvestReport, KindCount, ReportData } from "./report-data.js"

export interface ReportContext {
  readonly generatedAt: string
  /** Where the records were read from (the history store's location). */
  readonly source: string
  readonly dailyQuota: number
}

/** The report of every harvest in the history, oldest first as the store lists them. */
export const reportDataOf = (records: ReadonlyArray<HarvestRecord>, context: ReportContext): ReportData => ({
  ...context,
  harvests: records.map(harvestReportOf)
})

/** One harvest record as the report draws it. */
export const harvestReportOf = (record: HarvestRecord): HarvestReport => {
  checkDatesOf(record)
  const coverage = coverageOf(record)
  return {
    id: record.id,
    endpoint: record.endpoint,
    request: queryOf(record),
    status: record.status,
    records: record.records,
    requests: Object.values(record.requests).reduce((sum, n) => sum + n, 0),
    sinks: record.sinks.map(withoutPassword),
    tikflowVersion: record.runs.at(-1)?.tikflowVersion,
    coverage,
    recordsByDay: coverage.kind === "days"
      ? Object.entries(record.coverage.days).map(([day, covered]) => ({ day, count: covered.records }))
      : recordsByRunDay(record),
    requestsByDay: dayCounts(record.requests),
    errorsByKind: Object.entries(record.errors).map(([kind, count]): KindCount => ({ kind, count })),
    changed: changedValuesOf(record).flatMap(({ sink, changes }) =>
      changes.map((change) => ({ sink: withoutPassword(sink), column: change.column, reason: changeReasons[change.reason] ?? change.reason, count: change.count }))
    ),
    runs: record.runs.map((run) => ({
      startedAt: run.startedAt,
      finishedAt: run.finishedAt ?? undefined,
      status: run.status,
      records: run.records,
      requests: run.requests
    }))
  }
}

/**
 * A video query covers days: the calendar spans what is covered and what the latest run set out
 * to harvest (its pending days), so the days between that no run covered show as missing.
 * A fan-out covers items: harvested, refused, and those still pending.
 */
const coverageOf = (record: HarvestRecord): Coverage => {
  const { days, items } = record.coverage
  const pending = record.pending
  const isDays = pending?.days !== undefined || Object.keys(days).length > 0 || (pending?.items === undefined && Object.keys(items).length === 0 && record.endpoint === "videos")
  if (isDays) {
    const span = spanOf([...Object.keys(days), ...(pending?.days ?? []).flat()])
    return {
      kind: "days",
      range: span,
      days: Object.entries(days).map(([day, covered]) => ({ day, provisional: covered.provisional, fetchedAt: covered.fetchedAt }))
    }
  }
  const refused = Object.values(items).filter((item) => item.refused === true).length
  const asked = new Set([...Object.keys(items), ...(pending?.items ?? [])])
  return { kind: "items", itemKind: record.endpoint === "comments" ? "video id" : "username", covered: Object.keys(items).length - refused, refused, total: asked.size }
}

/** A fan-out's records by the UTC day each run started (items carry no per-item record counts). */
const recordsByRunDay = (record: HarvestRecord): Array<DayCount> => {
  const byDay: Record<string, number> = {}
  for (const run of record.runs) {
    const day = dayOfTime(run.startedAt)
    byDay[day] = (byDay[day] ?? 0) + run.records
  }
  return dayCounts(byDay)
}

const dayCounts = (byDay: Readonly<Record<string, number>>): Array<DayCount> =>
  Object.entries(byDay).sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, count }))

/** A sink named by a URI (`postgres://user:secret@host/db`) is shown without its password. */
const withoutPassword = (sink: string): string => sink.replace(/(\/\/[^/:@\s]*:)[^@\s/]*@/g, "$1***@")

const DAY = /^\d{4}-\d{2}-\d{2}$/

/**
 * The days and times the charts are laid out by, checked: a hand-edited or damaged record fails
 * naming the harvest and the field, not deep in the drawing with "Invalid time value".
 */
const checkDatesOf = (record: HarvestRecord): void => {
  const fail = (field: string, value: unknown, expected: string) => {
    throw new Error(`harvest history ${record.id}: ${field}: expected ${expected}, got ${JSON.stringify(value)}`)
  }
  const isDay = (day: string) => DAY.test(day) && dayOfTimeOrUndefined(`${day}T00:00:00Z`) === day
  for (const day of Object.keys(record.coverage.days)) if (!isDay(day)) fail("coverage.days", day, "a YYYY-MM-DD day")
  for (const day of Object.keys(record.requests)) if (!isDay(day)) fail("requests", day, "a YYYY-MM-DD day")
  for (const [i, [first, last]] of (record.pending?.days ?? []).entries()) {
    if (!isDay(first) || !isDay(last)) fail(`pending.days[${i}]`, [first, last], "[YYYY-MM-DD, YYYY-MM-DD]")
  }
  record.runs.forEach((run, i) => {
    if (dayOfTimeOrUndefined(run.startedAt) === undefined) fail(`runs[${i}].startedAt`, run.startedAt, "an ISO time")
    if (run.finishedAt !== null && dayOfTimeOrUndefined(run.finishedAt) === undefined) fail(`runs[${i}].finishedAt`, run.finishedAt, "an ISO time or null")
  })
}

const dayOfTimeOrUndefined = (time: string): string | undefined => Number.isFinite(Date.parse(time)) ? dayOfTime(time) : undefined
