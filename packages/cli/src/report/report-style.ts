import { Html } from "./html.js"

/** The page's style sheet, inline (the page loads nothing). */
export const reportStyle = new Html(`
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d232b; margin: 0 auto; padding: 16px 24px 48px; max-width: 840px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 0 0 6px; }
h3 { font-size: 14px; margin: 22px 0 6px; color: #3c4653; }
section { border-top: 1px solid #d5dae1; padding-top: 18px; margin-top: 26px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f1f3f6; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e7ec; vertical-align: top; }
th { color: #56606d; font-weight: 600; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: #56606d; }
dl.facts dd { margin: 0; }
.note, .none, .empty { color: #56606d; font-size: 12.5px; }
.status { font-size: 12px; font-weight: 600; padding: 1px 7px; border-radius: 9px; background: #e4e7ec; }
.status.complete { background: #d8eedb; color: #1b5e20; }
.status.running { background: #dbe7f6; color: #174a85; }
.status.stopped { background: #fdecc8; color: #7a4d00; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #56606d; }
svg .value { fill: #1d232b; font-size: 10px; }
svg .grid { stroke: #e4e7ec; }
svg .bar { fill: #3b6ea5; }
svg .bar.over { fill: #c62828; }
svg .limit { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg text.limit-label { fill: #c62828; }
svg .day.covered, .key.covered { fill: #2e7d32; background: #2e7d32; }
svg .day.provisional, .key.provisional { fill: #f2a900; background: #f2a900; }
svg .day.missing, .key.missing { fill: #e4e7ec; background: #e4e7ec; }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: -1px; }
svg .run { fill: #8a94a3; }
svg .run.status-complete { fill: #2e7d32; }
svg .run.status-running { fill: #3b6ea5; }
svg .run.status-stopped, svg .run.status-interrupted { fill: #f2a900; }
svg .run.status-failed { fill: #c62828; }
svg .run.open { fill-opacity: 0.45; stroke: #3b6ea5; stroke-dasharray: 3 2; }
`)
