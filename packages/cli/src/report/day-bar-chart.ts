import { valueScale } from "./axis-scale.js"
import { formatCount } from "./format-values.js"
import { type Html, html, join } from "./html.js"

export interface DayBarChart {
  /** The chart's name, for `data-chart` and the accessible label. */
  readonly name: string
  readonly title: string
  /** One bar per day, in order, zero included: the x axis. */
  readonly days: ReadonlyArray<string>
  readonly values: ReadonlyMap<string, number>
  /** `records`, `requests`: written in each bar's tooltip. */
  readonly unit: string
  /** A horizontal line the bars are read against (the daily quota); bars above it are marked. */
  readonly limit?: { readonly value: number; readonly label: string }
}

const WIDTH = 760
const HEIGHT = 220
const LEFT = 56
const RIGHT = 12
const TOP = 16
const BOTTOM = 34
const PLOT_W = WIDTH - LEFT - RIGHT
const PLOT_H = HEIGHT - TOP - BOTTOM
/** Width of a digit of a bar's number (10 px text): a bar carries its number if it fits, else its tooltip does. */
const DIGIT_W = 6.5
/** Day labels: the least distance between their centres, and half a label's width. */
const LABEL_GAP = 76
const LABEL_HALF = 32
/** A few days still read as bars, not as blocks. */
const MAX_BAR = 44

/** A bar per day with a count axis: records per day, requests per day against the quota. */
export const dayBarChart = (chart: DayBarChart): Html => {
  const largest = Math.max(0, ...chart.values.values(), chart.limit?.value ?? 0)
  const scale = valueScale(largest)
  const y = (value: number) => TOP + PLOT_H - (value / scale.max) * PLOT_H
  const band = PLOT_W / Math.max(1, chart.days.length)
  const barWidth = Math.min(MAX_BAR, Math.max(0.5, band * 0.8))
  const labelled = band >= formatCount(Math.max(0, ...chart.values.values())).length * DIGIT_W + 4
  const bars = chart.days.map((day, i) => {
    const value = chart.values.get(day) ?? 0
    const over = chart.limit !== undefined && value > chart.limit.value
    const x = LEFT + i * band + (band - barWidth) / 2
    return html`<rect class="bar${over ? " over" : ""}" data-day="${day}" data-value="${value}" x="${round(x)}" y="${round(y(value))}" width="${round(barWidth)}" height="${round(TOP + PLOT_H - y(value))}"><title>${day}: ${formatCount(value)} ${chart.unit}</title></rect>${
      labelled && value > 0
        ? html`<text class="value" data-day="${day}" x="${round(x + barWidth / 2)}" y="${round(y(value) - 3)}" text-anchor="middle">${formatCount(value)}</text>`
        : ""
    }`
  })
  return html`<svg class="chart" data-chart="${chart.name}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${chart.title}">
${yAxis(scale.ticks, y)}
${xLabels(chart.days, band)}
${join(bars, "\n")}
${chart.limit === undefined ? "" : limitLine(chart.limit, y(chart.limit.value))}
</svg>`
}

const yAxis = (ticks: ReadonlyArray<number>, y: (value: number) => number): Html =>
  join(ticks.map((tick) =>
    html`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${round(y(tick))}" y2="${round(y(tick))}"/><text class="tick" x="${LEFT - 6}" y="${round(y(tick) + 4)}" text-anchor="end">${formatCount(tick)}</text>`
  ), "\n")

/**
 * The first and last day and evenly spaced ones between, at least LABEL_GAP apart (a date is about
 * 60 px wide): centred under their bar, the last one ending at the plot's edge rather than past it.
 */
const xLabels = (days: ReadonlyArray<string>, band: number): Html => {
  const centre = (i: number) => LEFT + (i + 0.5) * band
  const last = days.length - 1
  const lastEnd = Math.min(centre(last) + LABEL_HALF, WIDTH - RIGHT)
  const every = Math.max(1, Math.ceil(LABEL_GAP / band))
  const regular = days.map((_, i) => i).filter((i) => i % every === 0 && i !== last && lastEnd - LABEL_HALF - centre(i) >= LABEL_GAP)
  const y = HEIGHT - BOTTOM + 20
  return join([
    ...regular.map((i) => html`<text class="day-label" x="${round(centre(i))}" y="${y}" text-anchor="middle">${days[i]!}</text>`),
    last === 0
      ? html`<text class="day-label" x="${round(centre(0))}" y="${y}" text-anchor="middle">${days[0]!}</text>`
      : html`<text class="day-label" x="${round(lastEnd)}" y="${y}" text-anchor="end">${days[last]!}</text>`
  ], "\n")
}

const limitLine = (limit: { value: number; label: string }, atY: number): Html =>
  html`<line class="limit" data-value="${limit.value}" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${round(atY)}" y2="${round(atY)}"/><text class="limit-label" x="${WIDTH - RIGHT - 4}" y="${round(atY + 13)}" text-anchor="end">${limit.label}</text>`

const round = (n: number): number => Math.round(n * 100) / 100
