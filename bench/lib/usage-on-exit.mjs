// Preloaded (`node --import`) into a process the bench spawns, e.g. the `tikflow` CLI: on exit it
// writes the process's own resource usage (peak RSS, user and system CPU) as JSON to the file
// named by TIKFLOW_BENCH_USAGE, so the figures are the CLI's alone, as a user runs it. It also
// samples the V8 heap and off-heap memory every 100 ms, to say where the peak RSS goes.
import { writeFileSync } from "node:fs"

const file = process.env.TIKFLOW_BENCH_USAGE
if (file) {
  const peak = { heapTotalMB: 0, heapUsedMB: 0, externalMB: 0, rssMB: 0 }
  const sample = () => {
    const m = process.memoryUsage()
    peak.heapTotalMB = Math.max(peak.heapTotalMB, Math.round(m.heapTotal / 2 ** 20))
    peak.heapUsedMB = Math.max(peak.heapUsedMB, Math.round(m.heapUsed / 2 ** 20))
    peak.externalMB = Math.max(peak.externalMB, Math.round(m.external / 2 ** 20))
    peak.rssMB = Math.max(peak.rssMB, Math.round(m.rss / 2 ** 20))
  }
  setInterval(sample, 100).unref()
  process.on("exit", () => {
    sample()
    const usage = process.resourceUsage()
    writeFileSync(file, JSON.stringify({ maxRssKB: usage.maxRSS, userMicros: usage.userCPUTime, systemMicros: usage.systemCPUTime, sampledPeaks: peak }))
  })
}
