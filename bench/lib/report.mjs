// What every scenario prints as its last line: records, wall time, rate and peak RSS of its process.
export const measure = async (run) => {
  const started = performance.now()
  const result = await run()
  const ms = performance.now() - started
  const records = result.records
  return {
    ...result,
    ms: Math.round(ms),
    recordsPerSecond: Math.round((records / ms) * 1000),
    // maxRSS is in kilobytes.
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
  }
}

export const emit = (result) => {
  process.stdout.write(JSON.stringify(result) + "\n")
}

export const paramsOf = () => JSON.parse(process.argv[2] ?? "{}")
