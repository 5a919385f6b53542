import type { Output } from "../output/output.js"
import { formatDuration } from "../progress/format-progress.js"
import type { HarvestResult } from "./run-harvest.js"

/** The end-of-run report on stderr (stdout may be an ndjson sink): per stream, then totals. */
export const printRunSummary = (output: Output, result: HarvestResult): void => {
  if (output.format === "json") {
    output.event({
      type: "summary",
      status: result.stoppedByQuota ? "quota-exhausted" : "done",
      ...(result.stoppedByQuota ? { stoppedByQuota: result.stoppedByQuota } : {}),
      streams: result.summaries.map((s) => ({
        stream: s.stream,
        harvestId: s.harvestId,
        records: s.recordsOut,
        duplicatesDropped: s.duplicatesDropped,
        pages: s.pages,
        resumedFromEpoch: s.resumedFromEpoch ?? null
      })),
      requests: result.requests,
      retries: result.retries,
      durationMs: result.durationMs
    })
    return
  }
  const retries = Object.values(result.retries).reduce((sum, n) => sum + n, 0)
  const lines = result.summaries.map((s) =>
    `  ${s.stream.padEnd(16)} ${String(s.recordsOut).padStart(8)} records  (${s.pages} pages, ${s.duplicatesDropped} duplicates dropped` +
    `${s.resumed ? `, resumed from epoch ${s.resumedFromEpoch}` : ""}) → ${s.sinks.filter((sink) => !sink.name.startsWith("collector:")).map((sink) => sink.name).join(", ")}`
  )
  const kinds = Object.entries(result.retries).map(([kind, n]) => `${kind} ${n}`).join(", ")
  const stopped = result.stoppedByQuota
  output.notice([
    stopped ? "stopped by the daily quota (partial):" : "done:",
    ...lines,
    ...(stopped
      ? [`  ${stopped.stream.padEnd(16)} ${String(stopped.records).padStart(8)} records written and committed before the stop (the rest resumes after ${stopped.resetAt})`]
      : []),
    `  ${result.requests} requests, ${retries} retries survived${kinds ? ` (${kinds})` : ""}, ${formatDuration(result.durationMs)}`
  ].join("\n"))
}
