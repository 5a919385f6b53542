import v8 from "node:v8"

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

// V8 reads these as `--a-b` or `--a_b`, from the command line or NODE_OPTIONS.
const USER_HEAP_FLAG = /--(max-old-space-size|max-heap-size|max-semi-space-size|heap-growing-percent)\b/

/** The flag the CLI sets, or undefined when the user sized the heap themselves (their flags win). */
export const heapGrowthFlag = (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined): string | undefined =>
  [...execArgv, nodeOptions ?? ""].some((arg) => USER_HEAP_FLAG.test(arg.replaceAll("_", "-")))
    ? undefined
    : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`

/**
 * Bounds the heap's growth from inside the process, before the command allocates: no relaunch
 * (a second process would double start-up and outlive a SIGKILLed parent), no flags for the user
 * to know. V8 reads the growing factor each time it sets the next heap limit, so setting it at
 * start-up applies to the whole run.
 */
export const boundHeapGrowth = (): void => {
  const flag = heapGrowthFlag(process.execArgv, process.env.NODE_OPTIONS)
  if (flag !== undefined) v8.setFlagsFromString(flag)
}
