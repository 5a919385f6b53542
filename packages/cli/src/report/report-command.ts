import { resolve } from "node:path"
import { usageError } from "../cli-error.js"
import type { Command } from "../commands/command.js"
import { ExitCode } from "../exit-codes.js"
import { openHistory } from "../harvest/coordinator-history.js"

export const reportCommand: Command = {
  name: "report",
  summary: "write the harvest history as one HTML page: records and requests per day, coverage, errors, runs",
  usage: "--out FILE [--harvest ID]… [--state DIR | --coordinator postgres://…]",
  details: [
    "Reads the harvest history of the state directory (<state>/history/) and writes one self-contained",
    "page: per harvest, records per day (a chart), the days covered, provisional and missing (a calendar),",
    "requests per UTC day against the daily quota (--daily-quota, default 1000), errors by kind and the",
    "run timeline. The page loads nothing and runs no script: it opens offline, in any browser, and can",
    "be mailed or archived with the data. It sends no request to the API. With --coordinator postgres://…",
    "(or TIKFLOW_COORDINATOR) it reports the team's history in that database instead."
  ].join("\n"),
  options: {
    out: { type: "string", value: "FILE", description: "the HTML file to write (replaced atomically)" },
    harvest: { type: "string", multiple: true, value: "ID", description: "only this harvest (as `tikflow runs` lists it); repeatable" }
  },
  examples: [
    { description: "the report of every harvest in ./.tikflow", command: "tikflow report --out report.html" }
  ],
  async run({ values, settings, output }) {
    const out = values.out as string | undefined
    if (out === undefined || out.trim() === "") throw usageError("report: --out FILE is required (the HTML file to write)")
    // The page's renderer (a dozen modules) loads when a report is written, not with every command.
    const [{ writeFileAtomic }, { formatCount, plural }, { reportDataOf }, { renderReport }, { totalsOf }] = await Promise.all([
      import("@tikflow/core/internal"),
      import("./format-values.js"),
      import("./from-history.js"),
      import("./render-report.js"),
      import("./report-data.js")
    ])
    // The team's history with --coordinator, else the state directory's.
    const opened = await openHistory(settings, output)
    const store = opened.store
    const history = selected(await store.list().finally(() => opened.close()), values.harvest as ReadonlyArray<string> | undefined, store.location)
    const data = reportDataOf(history, {
      generatedAt: new Date(settings.now()).toISOString(),
      source: store.location,
      dailyQuota: settings.dailyQuota
    })
    const path = resolve(out)
    await writeFileAtomic(path, renderReport(data))
    const { harvests, records, requests } = totalsOf(data)
    if (settings.logFormat === "json") {
      output.result(JSON.stringify({ report: path, harvests, records, requests, history: store.location }))
    } else {
      output.result(`report written to ${path}: ${plural(harvests, "harvest")}, ${formatCount(records)} records, ${formatCount(requests)} requests (from ${store.location})`)
    }
    return ExitCode.Done
  }
}

/** The harvests `--harvest` names (all without it); an id the history does not have is an error, not an empty page. */
const selected = <R extends { readonly id: string }>(records: ReadonlyArray<R>, ids: ReadonlyArray<string> | undefined, location: string): ReadonlyArray<R> => {
  if (ids === undefined || ids.length === 0) return records
  const unknown = ids.filter((id) => !records.some((record) => record.id === id))
  if (unknown.length > 0) {
    const known = records.length === 0 ? "it has none" : `it has ${records.map((record) => record.id).join(", ")}`
    throw usageError(`report: --harvest ${unknown[0]}: no such harvest in ${location} (${known})`)
  }
  return records.filter((record) => ids.includes(record.id))
}
