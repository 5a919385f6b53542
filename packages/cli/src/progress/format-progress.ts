import type { ProgressSnapshot } from "./progress-tracker.js"

export const formatDuration = (ms: number): string => {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`
}

const formatRetries = (retries: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(retries)
  if (entries.length === 0) return "0"
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  return `${total} (${entries.map(([kind, n]) => `${kind} ${n}`).join(", ")})`
}

const count = (n: number): string => n.toLocaleString("en-US")

/**
 * The parts of a progress line, the numbers that matter first: share done, ETA, records, requests,
 * quota left; then what the job is, the refused items, retries, window, rate and time taken.
 */
const progressParts = (s: ProgressSnapshot): Array<string> => [
  ...(s.done !== undefined ? [`${Math.floor(s.done * 100)}%`] : []),
  ...(s.etaMs !== undefined && s.done !== undefined && s.done < 1 ? [`ETA ${formatDuration(s.etaMs)}`] : []),
  `${count(s.records)} records`,
  `${count(s.requests)} requests`,
  ...(s.quota ? [`quota ${count(Math.max(0, s.quota.limit - s.quota.used))} left`] : []),
  s.label,
  ...(s.userErrors > 0 ? [`${count(s.userErrors)} refused`] : []),
  `retries ${formatRetries(s.retries)}`,
  ...(s.window ? [`window ${s.window}`] : []),
  `${s.rate.toFixed(1)} rec/s`,
  formatDuration(s.elapsedMs)
]

/** One plain line: what the log prints periodically when stderr is not a terminal. */
export const formatProgressLine = (s: ProgressSnapshot): string => progressParts(s).join(" · ")

/**
 * The live line on a terminal of `width` columns: a bar of the share done, then as many parts as
 * fit, whole (the least important are left off first). Colour only when `color`.
 */
export const formatProgressBar = (s: ProgressSnapshot, width: number, color: boolean): string => {
  const parts = progressParts(s)
  const room = Math.max(10, width - 1)
  const barCells = s.done === undefined ? 0 : Math.max(0, Math.min(20, Math.floor(room / 5)))
  const filled = Math.round((s.done ?? 0) * barCells)
  const bar = barCells === 0 ? "" : color
    ? `\x1b[32m${"█".repeat(filled)}\x1b[2m${"░".repeat(barCells - filled)}\x1b[0m `
    : `${"█".repeat(filled)}${"░".repeat(barCells - filled)} `
  const barLength = barCells === 0 ? 0 : barCells + 1
  let line = ""
  for (const part of parts) {
    const next = line === "" ? part : `${line} · ${part}`
    if (barLength + next.length > room) break
    line = next
  }
  if (line === "") line = parts[0].slice(0, room - barLength)
  return bar + line
}
