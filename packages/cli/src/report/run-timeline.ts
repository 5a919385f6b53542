import { formatDuration } from "../progress/format-progress.js"
import { formatCount, formatTime } from "./format-values.js"
import { type Html, html, join } from "./html.js"
import type { RunReport } from "./report-data.js"

const WIDTH = 760
const LEFT = 64
const RIGHT = 12
const ROW = 22
const BAR_H = 12
const AXIS = 22
const PLOT_W = WIDTH - LEFT - RIGHT
/** A run of a few minutes in a months-long history is still drawn, as a tick this wide. */
const MIN_BAR = 3
/** Up to this many runs get a row each; a longer history (a daily cron) shares one row. */
const ROWS_MAX = 20

/**
 * The runs of a harvest on one time axis: a bar from start to finish coloured by its status, a row
 * per run (one shared row past ROWS_MAX runs). A run with no recorded end (running, or killed) is
 * drawn up to `now`, dashed.
 */
export const runTimeline = (runs: ReadonlyArray<RunReport>, now: string): Html => {
  if (runs.length === 0) return html``
  const endOf = (run: RunReport) => Date.parse(run.finishedAt ?? now)
  const start = Math.min(...runs.map((run) => Date.parse(run.startedAt)))
  const end = Math.max(start + 1, ...runs.map(endOf))
  const x = (time: number) => LEFT + ((time - start) / (end - start)) * PLOT_W
  const rowCount = runs.length <= ROWS_MAX ? runs.length : 1
  const rowOf = (i: number) => rowCount === 1 ? 0 : i
  const labels = rowCount === 1 && runs.length > 1
    ? [html`<text class="tick" x="${LEFT - 8}" y="${4 + BAR_H - 1}" text-anchor="end">${runs.length} runs</text>`]
    : runs.map((_, i) => html`<text class="tick" x="${LEFT - 8}" y="${rowOf(i) * ROW + 4 + BAR_H - 1}" text-anchor="end">run ${i + 1}</text>`)
  const bars = runs.map((run, i) => {
    const from = x(Date.parse(run.startedAt))
    const width = Math.max(MIN_BAR, x(endOf(run)) - from)
    const open = run.finishedAt === undefined
    const took = formatDuration(endOf(run) - Date.parse(run.startedAt))
    return html`<rect class="run ${statusClass(run.status)}${open ? " open" : ""}" data-run="${i + 1}" data-status="${run.status}" data-records="${run.records}" data-requests="${run.requests}" data-started="${run.startedAt}" data-finished="${run.finishedAt ?? ""}" x="${round(Math.min(from, WIDTH - RIGHT - MIN_BAR))}" y="${rowOf(i) * ROW + 4}" width="${round(width)}" height="${BAR_H}"><title>run ${i + 1}: ${run.status}, ${formatTime(run.startedAt)} → ${run.finishedAt === undefined ? "no end recorded" : formatTime(run.finishedAt)} (${took}), ${formatCount(run.records)} records, ${formatCount(run.requests)} requests</title></rect>`
  })
  const axisY = rowCount * ROW + 4
  return html`<svg class="chart" data-chart="runs" viewBox="0 0 ${WIDTH} ${axisY + AXIS}" width="${WIDTH}" height="${axisY + AXIS}" role="img" aria-label="run timeline">
${join(labels)}
${join(bars, "\n")}
<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}"/>
<text class="tick" x="${LEFT}" y="${axisY + 14}">${formatTime(new Date(start).toISOString())}</text>
<text class="tick" x="${WIDTH - RIGHT}" y="${axisY + 14}" text-anchor="end">${formatTime(new Date(end).toISOString())}</text>
</svg>`
}

/** The status as a CSS class: the known ones get their colour, anything else the neutral one. */
const statusClass = (status: string): string =>
  ["complete", "stopped", "running", "failed", "interrupted"].includes(status) ? `status-${status}` : "status-other"

const round = (n: number): number => Math.round(n * 100) / 100
