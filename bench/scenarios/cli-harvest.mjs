// End to end as a user runs it: the `tikflow videos` binary into one sink (params.sink), in its
// own process (bench/lib/cli-harvest.mjs). Prints the CLI process's figures, not this wrapper's.
import { runCliHarvest } from "../lib/cli-harvest.mjs"
import { emit, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const { ms, usage, summary } = await runCliHarvest(params, params.sink)
const cpuMs = (usage.userMicros + usage.systemMicros) / 1000
const perRecord = (ms) => Math.round((ms * 1000 / summary.records) * 100) / 100
// Where the process's CPU went, by thread (bench/lib/usage-on-exit.mjs; Linux only): the main
// thread's, the other threads' alive at exit (V8's compiler and GC threads, libuv's pool: gzip, fs,
// DuckDB), and the threads' that ended before (e.g. the Parquet encoder thread).
const threads = usage.threadsCpuMs
emit({
  records: summary.records,
  requests: summary.requests,
  // Spawn to exit: what the user waits, Node's start and loading the CLI included.
  wallMs: Math.round(ms),
  ms: Math.round(ms),
  recordsPerSecond: Math.round((summary.records / ms) * 1000),
  processCpuMs: Math.round(cpuMs),
  processCpuMicrosPerRecord: perRecord(cpuMs),
  ...(threads && {
    mainThreadCpuMicrosPerRecord: perRecord(threads.main),
    otherThreadsCpuMicrosPerRecord: { live: perRecord(threads.otherLive), ended: perRecord(threads.ended), eachLive: threads.live.map(perRecord) }
  }),
  peakRssMB: Math.round(usage.maxRssKB / 1024),
  memory: usage.sampledPeaks
})
