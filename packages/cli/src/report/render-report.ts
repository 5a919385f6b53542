import { calendarDays, calendarStrip } from "./calendar-strip.js"
import { dayBarChart } from "./day-bar-chart.js"
import { daysFrom, spanOf } from "./days.js"
import { formatCount, formatTime, plural } from "./format-values.js"
import { type Html, html, join } from "./html.js"
import { kindBarChart } from "./kind-bar-chart.js"
import { type DayCount, type HarvestReport, type ReportData, totalsOf } from "./report-data.js"
import { runTimeline } from "./run-timeline.js"
import { reportStyle } from "./report-style.js"

/**
 * The report as one self-contained HTML page: charts are inline SVG drawn here, the style is
 * inline, and the page allows no script and no network (its Content-Security-Policy), so it
 * opens the same anywhere, offline, and text from queries or the API can never run in it.
 */
export const renderReport = (data: ReportData): string =>
  `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tikflow harvest report</title>
<style>${reportStyle}</style>
</head>
<body>
${header(data)}
${data.harvests.length === 0 ? empty(data) : join([overview(data), ...data.harvests.map((harvest, i) => harvestSection(harvest, i, data))], "\n")}
</body>
</html>`}\n`

const header = (data: ReportData): Html => {
  const totals = totalsOf(data)
  return html`<header>
<h1>tikflow harvest report</h1>
<p>Generated ${formatTime(data.generatedAt)} from <code>${data.source}</code>: <span data-total="harvests">${plural(totals.harvests, "harvest")}</span>, <span data-total="records">${plural(totals.records, "record")}</span>, <span data-total="requests">${plural(totals.requests, "request")}</span>.</p>
</header>`
}

const empty = (data: ReportData): Html =>
  html`<p class="empty">No harvests are recorded in <code>${data.source}</code> yet: run a harvest (<code>tikflow videos …</code>) with this state directory, then report again.</p>`

const overview = (data: ReportData): Html => {
  const perDay = sumByDay(data.harvests.flatMap((harvest) => harvest.requestsByDay))
  return html`<section id="overview">
<h2>All harvests</h2>
<table class="harvests">
<thead><tr><th>harvest</th><th>request</th><th>status</th><th>coverage</th><th class="n">records</th><th class="n">requests</th></tr></thead>
<tbody>
${join(data.harvests.map((harvest, i) => html`<tr data-harvest-id="${harvest.id}"><td><a href="#harvest-${i + 1}">${harvest.endpoint}</a></td><td><code>${harvest.request}</code></td><td><span class="status ${harvest.status}">${harvest.status}</span></td><td>${coverageSummary(harvest)}</td><td class="n">${formatCount(harvest.records)}</td><td class="n">${formatCount(harvest.requests)}</td></tr>`), "\n")}
</tbody>
</table>
<h3>Requests per UTC day, all harvests</h3>
${requestsChart("requests-all", perDay, data.dailyQuota)}
<p class="note">The quota is counted per client key and UTC day; this chart sums the harvests recorded here.</p>
</section>`
}

const harvestSection = (harvest: HarvestReport, index: number, data: ReportData): Html =>
  html`<section class="harvest" id="harvest-${index + 1}" data-harvest-id="${harvest.id}">
<h2>${harvest.endpoint} <span class="status ${harvest.status}">${harvest.status}</span></h2>
<p class="request"><code>${harvest.request}</code></p>
<dl class="facts">
<dt>harvest id</dt><dd><code>${harvest.id}</code></dd>
<dt>records</dt><dd data-fact="records">${formatCount(harvest.records)}</dd>
<dt>requests</dt><dd data-fact="requests">${formatCount(harvest.requests)}</dd>
<dt>coverage</dt><dd data-fact="coverage">${coverageSummary(harvest)}</dd>
<dt>values changed</dt><dd data-fact="changed">${formatCount(harvest.changed.reduce((sum, entry) => sum + entry.count, 0))}</dd>
<dt>sinks</dt><dd>${harvest.sinks.length === 0 ? "none recorded" : join(harvest.sinks.map((sink) => html`<code>${sink}</code>`), ", ")}</dd>
<dt>tikflow</dt><dd>${harvest.tikflowVersion ?? "unknown"}</dd>
</dl>
<h3>Records per day</h3>
${recordsChart(harvest)}
<h3>Coverage</h3>
${coverageView(harvest)}
<h3>Requests per UTC day</h3>
${requestsChart("requests", harvest.requestsByDay, data.dailyQuota)}
<h3>Errors by kind</h3>
${harvest.errorsByKind.length === 0 ? html`<p class="none" data-chart="errors">No errors.</p>` : kindBarChart("errors", "errors by kind", harvest.errorsByKind)}
<h3>Values stored changed</h3>
${changedTable(harvest)}
<h3>Runs</h3>
${runTimeline(harvest.runs, data.generatedAt)}
${runTable(harvest)}
</section>`

const recordsChart = (harvest: HarvestReport): Html => {
  const coverage = harvest.coverage
  const range = coverage.kind === "days" && coverage.range !== undefined ? [coverage.range.from, coverage.range.to] : []
  const span = spanOf([...range, ...harvest.recordsByDay.map((d) => d.day)])
  if (span === undefined) return html`<p class="none" data-chart="records">No records yet.</p>`
  const caption = coverage.kind === "days" ? "by the UTC day the videos were created" : "by the UTC day the run that fetched them started"
  return html`${dayBarChart({ name: "records", title: "records per day", days: daysFrom(span.from, span.to), values: countsByDay(harvest.recordsByDay), unit: "records" })}
<p class="note">Records ${caption}.</p>`
}

const requestsChart = (name: string, requestsByDay: ReadonlyArray<DayCount>, quota: number): Html => {
  const span = spanOf(requestsByDay.map((d) => d.day))
  if (span === undefined) return html`<p class="none" data-chart="${name}">No requests sent.</p>`
  return dayBarChart({
    name,
    title: "requests per UTC day",
    days: daysFrom(span.from, span.to),
    values: countsByDay(requestsByDay),
    unit: "requests",
    limit: { value: quota, label: `${formatCount(quota)} daily quota` }
  })
}

const coverageView = (harvest: HarvestReport): Html => {
  const coverage = harvest.coverage
  if (coverage.kind === "items") {
    return html`<p data-chart="coverage" data-items-covered="${coverage.covered}" data-items-refused="${coverage.refused}" data-items-total="${coverage.total}">${coverageSummary(harvest)}</p>`
  }
  if (coverage.range === undefined) return html`<p class="none" data-chart="coverage">No days covered or planned yet.</p>`
  const days = calendarDays(coverage.range.from, coverage.range.to, coverage.days)
  const count = (state: string) => days.filter((day) => day.state === state).length
  return html`${calendarStrip(days)}
<p class="legend">${join(["covered", "provisional", "missing"].map((state) =>
    html`<span class="key ${state}"></span> <span data-count="${state}">${formatCount(count(state))}</span> ${state}`), " &nbsp; ")}
<span class="note">(provisional: fetched less than 48 h after the day ended; the next run fetches it again)</span></p>`
}

const coverageSummary = (harvest: HarvestReport): string => {
  const coverage = harvest.coverage
  if (coverage.kind === "items") {
    return `${formatCount(coverage.covered)} of ${plural(coverage.total, coverage.itemKind)}${coverage.refused > 0 ? ` (${formatCount(coverage.refused)} refused by the API)` : ""}`
  }
  if (coverage.range === undefined) return "no days yet"
  const days = calendarDays(coverage.range.from, coverage.range.to, coverage.days)
  const of = (state: string) => days.filter((day) => day.state === state).length
  return `${coverage.range.from} … ${coverage.range.to}: ${formatCount(of("covered") + of("provisional"))} of ${plural(days.length, "day")} (${formatCount(of("provisional"))} provisional, ${formatCount(of("missing"))} missing)`
}

/** Every run in a table; past a screenful (a daily cron's history), folded under its count. */
const runTable = (harvest: HarvestReport): Html => {
  if (harvest.runs.length === 0) return html`<p class="none">No runs recorded.</p>`
  const table = html`<table class="runs">
<thead><tr><th>run</th><th>started</th><th>finished</th><th>status</th><th class="n">records</th><th class="n">requests</th></tr></thead>
<tbody>
${join(harvest.runs.map((run, i) => html`<tr data-run="${i + 1}"><td>${i + 1}</td><td>${formatTime(run.startedAt)}</td><td>${run.finishedAt === undefined ? "—" : formatTime(run.finishedAt)}</td><td>${run.status}</td><td class="n">${formatCount(run.records)}</td><td class="n">${formatCount(run.requests)}</td></tr>`), "\n")}
</tbody>
</table>`
  return harvest.runs.length <= FOLDED_RUNS ? table : html`<details><summary>all ${harvest.runs.length} runs</summary>
${table}
</details>`
}

const FOLDED_RUNS = 20

/** What the outputs stored changed, a row per output, column and reason. */
const changedTable = (harvest: HarvestReport): Html => {
  if (harvest.changed.length === 0) return html`<p class="none" data-changed="none">No values stored changed.</p>`
  return html`<table class="changed">
<thead><tr><th>output</th><th>column</th><th>stored as</th><th class="n">values</th></tr></thead>
<tbody>
${join(harvest.changed.map((entry) => html`<tr data-changed="${entry.sink} ${entry.column}"><td><code>${entry.sink}</code></td><td><code>${entry.column}</code></td><td>${entry.reason}</td><td class="n">${formatCount(entry.count)}</td></tr>`), "\n")}
</tbody>
</table>`
}

const countsByDay = (counts: ReadonlyArray<DayCount>): Map<string, number> => sumByDay(counts).reduce((map, d) => map.set(d.day, d.count), new Map<string, number>())

/** Counts of the same day added up (the overview sums every harvest's days). */
const sumByDay = (counts: ReadonlyArray<DayCount>): Array<DayCount> => {
  const sums = new Map<string, number>()
  for (const { day, count } of counts) sums.set(day, (sums.get(day) ?? 0) + count)
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, count }))
}
