// Source overhead: one harvest of the sandbox's videos by the baseline, the Effect or the RxJS face.
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
// The baseline's process loads none of tikflow (baseline-harvest.mjs says why).
const { baselineHarvest } = await import("../lib/baseline-harvest.mjs")
const faces = params.mode === "baseline" ? undefined : await import("../lib/harvest.mjs")
const run = faces === undefined ? baselineHarvest : { effect: faces.effectHarvest, rxjs: faces.rxjsHarvest }[params.mode]
emit(await measure(() => run(params)))
