import { formatCount } from "./format-values.js"
import { type Html, html, join } from "./html.js"
import type { KindCount } from "./report-data.js"

const WIDTH = 760
const LABEL_W = 220
const ROW = 22
const BAR_H = 14
const NUMBER_W = 70

/** A horizontal bar per kind, largest first, with its count: the errors a harvest met, by kind. */
export const kindBarChart = (name: string, title: string, counts: ReadonlyArray<KindCount>): Html => {
  const rows = [...counts].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind))
  const largest = Math.max(1, ...rows.map((row) => row.count))
  const plotW = WIDTH - LABEL_W - NUMBER_W
  const height = rows.length * ROW + 4
  const bars = rows.map((row, i) => {
    const y = 2 + i * ROW
    const width = Math.max(1, (row.count / largest) * plotW)
    return html`<text class="kind-label" x="${LABEL_W - 8}" y="${y + BAR_H - 2}" text-anchor="end">${clip(row.kind)}</text><rect class="bar" data-kind="${row.kind}" data-value="${row.count}" x="${LABEL_W}" y="${y}" width="${Math.round(width * 100) / 100}" height="${BAR_H}"><title>${row.kind}: ${formatCount(row.count)}</title></rect><text class="value" data-kind="${row.kind}" x="${LABEL_W + width + 6}" y="${y + BAR_H - 2}">${formatCount(row.count)}</text>`
  })
  return html`<svg class="chart" data-chart="${name}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${title}">
${join(bars, "\n")}
</svg>`
}

/** Kinds are short names, but they come from the API and users: a long one is cut (its tooltip has it whole). */
const clip = (kind: string): string => kind.length > 32 ? `${kind.slice(0, 31)}…` : kind
