// Source overhead: one harvest of the sandbox's videos by the baseline, the Effect or the RxJS face.
import { baselineHarvest, effectHarvest, rxjsHarvest } from "../lib/harvest.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const run = { baseline: baselineHarvest, effect: effectHarvest, rxjs: rxjsHarvest }[params.mode]
emit(await measure(() => run(params)))
