// What every scenario prints as its last line: records, wall time, rate, CPU time and peak RSS of
// its process.
const perRecord = (ms, records) => Math.round((ms * 1000 / records) * 100) / 100

export const measure = async (run) => {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await run()
  const ms = performance.now() - started
  const runCpu = process.cpuUsage(cpu)
  const records = result.records
  const usage = process.resourceUsage()
  // The whole process's CPU too, as the CLI's is measured (bench/lib/usage-on-exit.mjs), so CPU
  // ratios against the CLI compare alike.
  const processCpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000
  const cpuMs = (runCpu.user + runCpu.system) / 1000
  return {
    ...result,
    ms: Math.round(ms),
    recordsPerSecond: Math.round((records / ms) * 1000),
    cpuMs: Math.round(cpuMs),
    cpuMicrosPerRecord: perRecord(cpuMs, records),
    processCpuMs: Math.round(processCpuMs),
    processCpuMicrosPerRecord: perRecord(processCpuMs, records),
    // maxRSS is in kilobytes.
    peakRssMB: Math.round(usage.maxRSS / 1024)
  }
}

export const emit = (result) => {
  process.stdout.write(JSON.stringify(result) + "\n")
}

export const paramsOf = () => JSON.parse(process.argv[2] ?? "{}")
