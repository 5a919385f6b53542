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

/** One line: what the live display rewrites in place and the plain log prints periodically. */
export const formatProgressLine = (s: ProgressSnapshot): string => {
  const parts = [
    s.label,
    `${s.records} records`,
    `${s.pages} pages`,
    `${s.requests} requests`,
    ...(s.quota ? [`quota ${s.quota.used}/${s.quota.limit}`] : []),
    `retries ${formatRetries(s.retries)}`,
    ...(s.userErrors > 0 ? [`${s.userErrors} user errors`] : []),
    ...(s.window ? [`window ${s.window}`] : []),
    `${s.rate.toFixed(1)} rec/s`,
    ...(s.done !== undefined ? [`${Math.round(s.done * 100)}%`] : []),
    ...(s.etaMs !== undefined ? [`ETA ${formatDuration(s.etaMs)}`] : []),
    formatDuration(s.elapsedMs)
  ]
  return parts.join(" · ")
}
