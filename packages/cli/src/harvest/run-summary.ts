import type { Output } from "../output/output.js"
import { formatDuration } from "../progress/format-progress.js"
import { countOf, describeRefusals, type HarvestRefusals, refusedTotals } from "./refused-items.js"
import type { HarvestResult, KeptRows, ReplacedDays } from "./harvest-result.js"
import { changedTotal, describeChanged } from "./changed-values.js"
import { isInternalSink } from "./internal-sinks.js"


/** The end-of-run report on stderr (stdout may be an ndjson sink): per stream, then totals. */
export const printRunSummary = (output: Output, result: HarvestResult): void => {
  const refusedOf = (harvestId: string) => result.refused.find((r) => r.harvestId === harvestId)
  // Harvests finished by an earlier, interrupted run of this command keep their refusals.
  const earlier = result.refused.filter((refused) =>
    refused.harvestId !== result.stoppedByQuota?.harvestId && !result.summaries.some((s) => s.harvestId === refused.harvestId)
  )
  if (output.format === "json") {
    output.event({
      type: "summary",
      status: result.stoppedByQuota ? "quota-exhausted" : result.stoppedAtMaxRecords ? "max-records" : "done",
      ...(result.stoppedByQuota ? { stoppedByQuota: result.stoppedByQuota } : {}),
      ...(result.stoppedAtMaxRecords ? { stoppedAtMaxRecords: result.stoppedAtMaxRecords } : {}),
      exitCode: result.exitCode,
      streams: result.summaries.map((s) => {
        const refused = refusedOf(s.harvestId)
        return {
          stream: s.stream,
          harvestId: s.harvestId,
          records: s.recordsOut,
          duplicatesDropped: s.duplicatesDropped,
          pages: s.pages,
          resumedFromEpoch: s.resumedFromEpoch ?? null,
          refused: refused === undefined ? null : refusalJson(refused)
        }
      }),
      earlierRefused: earlier.map((refused) => ({ stream: refused.stream, harvestId: refused.harvestId, ...refusalJson(refused) })),
      refused: refusedTotals(result.refused),
      changed: result.changed,
      changedValues: changedTotal(result.changed),
      alreadyComplete: result.alreadyComplete,
      replaced: result.replaced,
      requests: result.requests,
      retries: result.retries,
      durationMs: result.durationMs
    })
    return
  }
  const retries = Object.values(result.retries).reduce((sum, n) => sum + n, 0)
  const lines = result.summaries.flatMap((s) => {
    const refused = refusedOf(s.harvestId)
    return [
      `  ${s.stream.padEnd(16)} ${String(s.recordsOut).padStart(8)} records  (${s.pages} pages, ${s.duplicatesDropped} duplicates dropped` +
        `${s.resumed ? `, resumed from epoch ${s.resumedFromEpoch}` : ""}) → ${s.sinks.filter((sink) => !isInternalSink(sink.name)).map((sink) => sink.name).join(", ")}`,
      ...(refused === undefined ? [] : [`  ${"".padEnd(16)} ${describeRefusals(refused)}`])
    ]
  })
  const kinds = Object.entries(result.retries).map(([kind, n]) => `${kind} ${n}`).join(", ")
  const stopped = result.stoppedByQuota
  output.notice([
    stopped
      ? "stopped by the daily quota (partial):"
      : result.stoppedAtMaxRecords ? `stopped at --max-records ${result.stoppedAtMaxRecords.maxRecords} (partial):` : "done:",
    ...lines,
    ...(stopped
      ? [`  ${stopped.stream.padEnd(16)} ${String(stopped.records).padStart(8)} records written and committed before the stop (the rest resumes after ${stopped.resetAt})`]
      : []),
    ...(stopped && refusedOf(stopped.harvestId) ? [`  ${"".padEnd(16)} ${describeRefusals(refusedOf(stopped.harvestId)!)}`] : []),
    ...earlier.map((refused) => `  ${refused.stream.padEnd(16)} (an earlier run) ${describeRefusals(refused)}`),
    ...result.replaced.map(describeReplaced),
    ...result.changed.map((entry) => `  ${entry.stream.padEnd(16)} ${describeChanged(entry)}`),
    `  ${result.requests} requests, ${retries} retries survived${kinds ? ` (${kinds})` : ""}, ${formatDuration(result.durationMs)}`
  ].join("\n"))
  // Never silenced (--quiet included): the exit code says it, this line says why.
  for (const refused of result.refused) {
    if (refused.items.length >= refused.of && !stopped) {
      output.error(`${refused.stream}: the API refused every one of the ${countOf(refused.of, refused.itemKind)} asked for; nothing was harvested for them`)
    }
  }
  const kept = result.replaced.flatMap((replaced) => replaced.kept)
  if (kept.length > 0) {
    const rows = kept.reduce((sum, entry) => sum + entry.rows, 0)
    output.error(`finished, but ${[...new Set(kept.map((entry) => entry.sink))].join(", ")} kept ${rows.toLocaleString("en-US")} earlier row(s) of provisional days fetched again (see the summary)`)
  }
  const changed = changedTotal(result.changed)
  if (changed > 0) {
    const sinks = [...new Set(result.changed.map((entry) => entry.sink))]
    output.error(`${stopped ? "" : "finished, but "}${sinks.join(", ")} stored ${changed.toLocaleString("en-US")} value(s) changed (see the summary)`)
  }
  const totals = Object.entries(refusedTotals(result.refused))
  if (totals.length > 0) {
    const refusedText = totals.map(([kind, n]) => countOf(n, kind as "video_id" | "username")).join(" and ")
    output.error(stopped ? `the API refused ${refusedText} before the stop (see the summary)` : `finished, but the API refused ${refusedText} (see the summary)`)
  }
}

const refusalJson = (refused: HarvestRefusals) => ({
  itemKind: refused.itemKind,
  count: refused.items.length,
  of: refused.of,
  byCode: refused.byCode,
  items: refused.items
})

const keptBecause: Record<KeptRows["reason"], string> = {
  "no-hook": "beside the new ones (no replaceDays hook)",
  "not-replaceable": "(written by an older tikflow or outside its provisional parts)",
  "work-queue": "beside the new ones (with a coordinator, file outputs keep the earlier work items' rows)"
}

/**
 * `videos  2 provisional day(s) replaced: 1,234 rows → 1,301 (2024-02-09, 2024-02-10)`, then a line
 * per sink that kept earlier rows of those days.
 */
const describeReplaced = (replaced: ReplacedDays): string =>
  [
    `  ${replaced.stream.padEnd(16)} ${replaced.days.length} provisional day(s) replaced: ` +
    `${replaced.rowsBefore.toLocaleString("en-US")} rows → ${replaced.rowsAfter.toLocaleString("en-US")} (${replaced.days.join(", ")})`,
    ...replaced.kept.map((kept) =>
      `  ${"".padEnd(16)} ${kept.sink} kept ${kept.rows.toLocaleString("en-US")} earlier row(s) of the replaced days ` +
      keptBecause[kept.reason]
    )
  ].join("\n")
