// End to end: the pipeline into one sink (params.sink), or the bare baseline (params.sink = "baseline").
import { baselineHarvest } from "../lib/baseline-harvest.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
// Loaded before the clock starts (DuckDB and parquet-wasm take a while to load).
const pipeline = params.sink === "baseline" ? undefined : await import("../lib/pipeline.mjs")
const run = pipeline === undefined ? () => baselineHarvest(params) : () => pipeline.runEndToEnd(params, params.sink)
emit(await measure(run))
