// End to end as a user runs it: the `tikflow videos` binary into one sink (params.sink), in its
// own process (bench/lib/cli-harvest.mjs). Prints the CLI process's figures, not this wrapper's.
import { runCliHarvest } from "../lib/cli-harvest.mjs"
import { emit, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const { ms, usage, summary } = await runCliHarvest(params, params.sink)
const cpuMs = (usage.userMicros + usage.systemMicros) / 1000
emit({
  records: summary.records,
  requests: summary.requests,
  // Spawn to exit: what the user waits, Node's start and loading the CLI included.
  wallMs: Math.round(ms),
  ms: Math.round(ms),
  recordsPerSecond: Math.round((summary.records / ms) * 1000),
  processCpuMs: Math.round(cpuMs),
  processCpuMicrosPerRecord: Math.round((cpuMs * 1000 / summary.records) * 100) / 100,
  peakRssMB: Math.round(usage.maxRssKB / 1024),
  memory: usage.sampledPeaks
})
