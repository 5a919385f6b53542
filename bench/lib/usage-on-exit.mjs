// Preloaded (`node --import`) into a process the bench spawns, e.g. the `tikflow` CLI: on exit it
// writes the process's own resource usage (peak RSS, user and system CPU) as JSON to the file
// named by TIKFLOW_BENCH_USAGE, so the figures are the CLI's alone, as a user runs it. It also
// samples the V8 heap and off-heap memory every 100 ms, to say where the peak RSS goes, and splits
// the CPU time by thread (Linux only, from /proc), to say which work costs it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"

/** A task's user + system CPU in ms, from its `stat` line (clock ticks: USER_HZ is 100 on Linux). */
const statCpuMs = (path) => {
  const stat = readFileSync(path, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * The process's CPU by thread at exit (Node 20 names no thread, so by role): the main thread; the
 * other threads alive at exit (V8's 4 platform threads: TurboFan, concurrent GC; libuv's pool:
 * gzip, fs, DuckDB's queries); and the threads that ended before (e.g. the Parquet encoder thread, which
 * the sink terminates at its close), the process's total less the live ones. Undefined off Linux.
 */
const threadsCpuMs = () => {
  try {
    const live = readdirSync("/proc/self/task").map((tid) => ({ tid: Number(tid), ms: statCpuMs(`/proc/self/task/${tid}/stat`) }))
    const main = live.find((t) => t.tid === process.pid)?.ms ?? 0
    const others = live.filter((t) => t.tid !== process.pid).map((t) => t.ms).filter((ms) => ms > 0).sort((a, b) => b - a)
    const otherLive = others.reduce((sum, ms) => sum + ms, 0)
    return { main, otherLive, ended: Math.max(0, statCpuMs("/proc/self/stat") - main - otherLive), live: others }
  } catch {
    return undefined
  }
}

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
    writeFileSync(file, JSON.stringify({ maxRssKB: usage.maxRSS, userMicros: usage.userCPUTime, systemMicros: usage.systemCPUTime, sampledPeaks: peak, threadsCpuMs: threadsCpuMs() }))
  })
}
