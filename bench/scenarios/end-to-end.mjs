// End to end: the pipeline into one sink (params.sink), or the bare baseline (params.sink = "baseline").
import { baselineHarvest } from "../lib/harvest.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const run = params.sink === "baseline"
  ? () => baselineHarvest(params)
  : async () => (await import("../lib/pipeline.mjs")).runEndToEnd(params, params.sink)
emit(await measure(run))
