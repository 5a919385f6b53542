/** Median, min and max of a list of numbers. */
export const summarize = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length }
}

/** Per-run figures of a variant summarized field by field. */
export const summarizeRuns = (runs, fields = ["recordsPerSecond", "ms", "peakRssMB"]) =>
  Object.fromEntries(fields.filter((f) => runs.every((r) => typeof r[f] === "number")).map((f) => [f, summarize(runs.map((r) => r[f]))]))

/** A ratio figure: per-run ratios (run i of a variant over run i of the baseline) summarized. */
export const ratioOf = (runs, baselineRuns, field = "recordsPerSecond") =>
  summarize(runs.map((r, i) => r[field] / baselineRuns[i][field]).map((x) => Math.round(x * 1000) / 1000))

/** A CPU ratio: the baseline's CPU time per record over the variant's, run by run (1 = as cheap as the baseline). */
export const cpuRatioOf = (runs, baselineRuns, field = "processCpuMicrosPerRecord") =>
  summarize(runs.map((r, i) => baselineRuns[i][field] / r[field]).map((x) => Math.round(x * 1000) / 1000))
