import { changedValuesOf, type HarvestRecord, type HistoryStore } from "@tikflow/core/internal"
import { changedTotal, describeChanged } from "../harvest/changed-values.js"
import { usageError } from "../cli-error.js"
import { ExitCode } from "../exit-codes.js"
import { queryOf } from "../harvest/harvest-history.js"
import { openHistory } from "../harvest/coordinator-history.js"
import { dayRanges } from "../harvest/harvest-plan.js"
import type { Command, CommandInput } from "./command.js"

export const runsCommand: Command = {
  name: "runs",
  summary: "list the harvests of the state directory (query, coverage, records, requests, status), or show one in full",
  usage: "[show ID] [--state DIR | --coordinator postgres://…] [--json]",
  details: [
    "Every harvest (an endpoint and its query, whatever the date range or id list) keeps a history in",
    "<state>/history/<id>.json: the days or items it covers and when each was fetched (days ending less",
    "than 48 h before the run are provisional and fetched again by the next run), records, requests per",
    "UTC day, errors by kind, values the outputs stored changed (per output, column and reason), and every",
    "run (a run killed outright shows as killed, with every request it sent:",
    "its journal in <state>/run-journals/ is folded in first). `runs show ID` prints one (an id prefix is enough); --json",
    "prints the records themselves (the format is in docs/architecture.md). With --coordinator postgres://…",
    "(or TIKFLOW_COORDINATOR) it reads the team's history in that database instead."
  ].join("\n"),
  options: {},
  maxPositionals: 2,
  examples: [
    { description: "the harvests of ./.tikflow", command: "tikflow runs" },
    { description: "as JSON, for scripts", command: "tikflow runs --json" }
  ],
  async run({ settings, output, positionals }) {
    const opened = await openHistory(settings, output)
    try {
      return await listRuns(opened.store, settings, output, positionals)
    } finally {
      await opened.close()
    }
  }
}

const listRuns = async (
  history: HistoryStore,
  settings: CommandInput["settings"],
  output: CommandInput["output"],
  positionals: CommandInput["positionals"]
): Promise<ExitCode> => {
  const json = settings.logFormat === "json"
  if (positionals.length > 0) {
    if (positionals[0] !== "show" || positionals.length !== 2) {
      throw usageError(`runs: expected "runs" or "runs show ID", got "runs ${positionals.join(" ")}"`)
    }
    const record = await findRecord(await history.list(), positionals[1], settings.coordinator === undefined ? settings.stateDir : history.location)
    output.result(json ? JSON.stringify(record) : describeRecord(record))
    return ExitCode.Done
  }
  const records = await history.list()
  if (json) {
    output.result(JSON.stringify(records.map((record) => ({
      id: record.id,
      endpoint: record.endpoint,
      query: queryOf(record),
      coverage: coverageOf(record),
      records: record.records,
      requests: requestsOf(record),
      changedValues: changedTotal(changedValuesOf(record)),
      status: record.status
    }))))
  } else if (records.length === 0) {
    output.result(`no harvests in ${settings.coordinator === undefined ? settings.stateDir : history.location}`)
  } else {
    output.result(table([
      ["ID", "ENDPOINT", "QUERY", "COVERAGE", "RECORDS", "REQUESTS", "STATUS"],
      ...records.map((r) => [r.id, r.endpoint, clip(queryOf(r), 40), coverageText(r), String(r.records), String(requestsOf(r)), r.status])
    ]))
  }
  return ExitCode.Done
}

const findRecord = async (records: ReadonlyArray<HarvestRecord>, id: string, stateDir: string): Promise<HarvestRecord> => {
  const exact = records.find((record) => record.id === id)
  if (exact !== undefined) return exact
  const matches = records.filter((record) => record.id.startsWith(id))
  if (matches.length === 1) return matches[0]
  throw usageError(
    matches.length === 0
      ? `runs show: no harvest ${JSON.stringify(id)} in ${stateDir} (tikflow runs lists them)`
      : `runs show: ${JSON.stringify(id)} names ${matches.length} harvests (${matches.map((m) => m.id).join(", ")}); give more of the id`
  )
}

const requestsOf = (record: HarvestRecord): number => Object.values(record.requests).reduce((a, b) => a + b, 0)

/** Coverage in a few numbers: day ranges and provisional days, or items. */
type Coverage =
  | { readonly days: number; readonly ranges: ReadonlyArray<readonly [string, string]>; readonly provisional: ReadonlyArray<string> }
  | { readonly items: number; readonly refused: number }

const coverageOf = (record: HarvestRecord): Coverage => {
  const days = Object.keys(record.coverage.days).sort()
  if (days.length > 0 || record.endpoint === "videos") {
    return {
      days: days.length,
      ranges: dayRanges(days),
      provisional: days.filter((day) => record.coverage.days[day].provisional)
    }
  }
  const items = Object.values(record.coverage.items)
  return { items: items.length, refused: items.filter((item) => item.refused === true).length }
}

const coverageText = (record: HarvestRecord): string => {
  const coverage = coverageOf(record)
  if ("days" in coverage) {
    if (coverage.days === 0) return "no days"
    const ranges = coverage.ranges.map(([a, b]) => (a === b ? a : `${a}..${b}`))
    return `${ranges.length > 2 ? `${ranges[0]} … ${ranges.at(-1)} (${ranges.length} ranges)` : ranges.join(", ")}` +
      `${coverage.provisional.length > 0 ? `, ${coverage.provisional.length} provisional` : ""}`
  }
  return `${coverage.items} items${coverage.refused > 0 ? ` (${coverage.refused} refused)` : ""}`
}

const describeRecord = (record: HarvestRecord): string => {
  const days = Object.entries(record.coverage.days).sort(([a], [b]) => a.localeCompare(b))
  const lines = [
    `harvest     ${record.id}`,
    `endpoint    ${record.endpoint} (stream ${record.stream})`,
    `query       ${queryOf(record)}`,
    `request     ${JSON.stringify(record.request)}`,
    `status      ${record.status}${record.pending !== null && record.status !== "complete" ? " (a run of it resumes where it stopped)" : ""}`,
    `coverage    ${coverageText(record)}`,
    `records     ${record.records}`,
    `requests    ${requestsOf(record)}${Object.keys(record.requests).length > 0 ? ` (${Object.entries(record.requests).map(([day, n]) => `${day}: ${n}`).join(", ")})` : ""}`,
    `errors      ${Object.keys(record.errors).length === 0 ? "none" : Object.entries(record.errors).map(([kind, n]) => `${kind} ${n}`).join(", ")}`,
    ...changedLines(record),
    `last epoch  ${record.lastEpoch}`,
    `outputs     ${record.sinks.join(", ") || "-"}`,
    "runs:",
    ...record.runs.map((run) =>
      `  ${run.startedAt} → ${run.finishedAt ?? "(running or killed)"}  ${run.status.padEnd(11)} ${run.records} records, ${run.requests} requests  (tikflow ${run.tikflowVersion})`
    )
  ]
  if (days.length > 0) {
    lines.push("days:")
    for (const [day, covered] of days) {
      lines.push(`  ${day}  ${String(covered.records).padStart(7)} records  fetched ${covered.fetchedAt}${covered.provisional ? "  provisional" : ""}`)
    }
  }
  return lines.join("\n")
}

/** `changed     none`, or a line per output: what it stored changed, per column and reason. */
const changedLines = (record: HarvestRecord): Array<string> => {
  const changed = changedValuesOf(record)
  if (changed.length === 0) return ["changed     none"]
  return changed.map((entry, i) => `${i === 0 ? "changed    " : "           "} ${describeChanged(entry)}`)
}

const clip = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, width - 1)}…`)

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n")
}
