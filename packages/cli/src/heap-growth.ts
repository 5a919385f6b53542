import { constants, PerformanceObserver } from "node:perf_hooks"
import v8 from "node:v8"
import { userSetV8Flag } from "./user-v8-flags.js"

/**
 * How much V8 may grow the heap past what survived the last full collection: 1 + N/100. V8's own
 * factor (up to 4× while allocation is fast, as in a harvest) took a heap whose live set stays
 * under 100 MB to 360–470 MB; a factor of 1.75 keeps it near the live set. Smaller factors buy no
 * lower peak RSS for many more full collections: in a 200k-video harvest 1.2 ran ~75, 1.5 ~21 and
 * 1.75 ~13 (~2 µs of CPU per record less than 1.5; at 2M into DuckDB 94 → 56, peak RSS 324 vs 329 MB;
 * bench/findings.md). Unlike `--max-old-space-size`, it is no ceiling: a run whose live set really
 * grows (a large join table) gets the heap it needs instead of crashing out of memory.
 */
export const HEAP_GROWING_PERCENT = 75

/**
 * The least room the heap's limit leaves above the live set. V8 starts incremental marking once the
 * room left under the limit falls to ~24 MB (about 1.5× the young generation's 16 MB), and its limit
 * is the live set grown by the factor plus 16 MB: a live set grown by less than ~8 MB has marking
 * start the moment a full collection ends. A harvest into Parquet keeps ~12 MB (75% of it: 9 MB), so
 * full collections ran back to back, ~35 per 200k videos whatever the harvest promoted; 24 MB leaves
 * ~16 MB of growth before marking starts (5–6 per 200k; bench/findings.md).
 */
export const MIN_HEAP_HEADROOM_BYTES = 24 * 2 ** 20

/** The percent for a tiny live set (V8's own factor stops at 4×). */
const MAX_GROWING_PERCENT = 500
/** Percents move in steps, so V8's flag changes once in a while, not after every full collection. */
const PERCENT_STEP = 25

/** The growing percent for a live set of `liveBytes`: 75, or more when 75% of it is under the headroom. */
export const growingPercentFor = (liveBytes: number): number => {
  const forHeadroom = Math.ceil((100 * MIN_HEAP_HEADROOM_BYTES) / Math.max(liveBytes, 1) / PERCENT_STEP) * PERCENT_STEP
  return Math.min(MAX_GROWING_PERCENT, Math.max(HEAP_GROWING_PERCENT, forHeadroom))
}

const USER_HEAP_FLAG = /--(max-old-space-size|max-heap-size|max-semi-space-size|heap-growing-percent)\b/

/** Whether the user sized the heap themselves (their flags win: the CLI then sets none). */
export const userSizedHeap = (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined): boolean =>
  userSetV8Flag(USER_HEAP_FLAG, execArgv, nodeOptions)

/** A `gc` performance entry: what kind of collection it was. */
type GcEntry = { readonly detail?: { readonly kind?: number } }

/** What the old generation holds (V8 sizes its limit from this, young objects apart). */
const oldGenerationBytes = (): number =>
  v8.getHeapSpaceStatistics().reduce((sum, space) => (space.space_name.startsWith("new_") ? sum : sum + space.space_used_size), 0)

const setGrowingPercent = (percent: number): void => v8.setFlagsFromString(`--heap-growing-percent=${percent}`)

/**
 * Bounds the heap's growth from inside the process, before the command allocates: no relaunch
 * (a second process would double start-up and outlive a SIGKILLed parent), no flags for the user
 * to know. V8 reads the growing factor each time it sets the next heap limit (at the end of a full
 * collection), so after each one the percent is fitted to what survived it, for the next.
 */
export const boundHeapGrowth = (): void => {
  if (userSizedHeap(process.execArgv, process.env.NODE_OPTIONS)) return
  let percent = growingPercentFor(oldGenerationBytes())
  setGrowingPercent(percent)
  // Entries arrive in batches after the collections; an observer keeps no process alive.
  new PerformanceObserver((list) => {
    const major = list.getEntries().some((entry) => (entry as GcEntry).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
    if (!major) return
    const next = growingPercentFor(oldGenerationBytes())
    if (next !== percent) setGrowingPercent((percent = next))
  }).observe({ entryTypes: ["gc"] })
}
