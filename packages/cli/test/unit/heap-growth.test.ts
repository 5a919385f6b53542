import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { HEAP_GROWING_PERCENT, MIN_HEAP_HEADROOM_BYTES, growingPercentFor, userSizedHeap } from "../../src/heap-growth.js"

const MB = 2 ** 20

describe("heap growth", () => {
  it("bounds V8's heap growth unless the user sized the heap (command line or NODE_OPTIONS, - or _)", () => {
    expect(userSizedHeap([], undefined)).toBe(false)
    expect(userSizedHeap(["--enable-source-maps"], "--trace-warnings")).toBe(false)
    expect(userSizedHeap(["--max-old-space-size=512"], undefined)).toBe(true)
    expect(userSizedHeap([], "--max_old_space_size=2048")).toBe(true)
    expect(userSizedHeap([], "--trace-gc --max-heap-size=300")).toBe(true)
    expect(userSizedHeap(["--heap-growing-percent=50"], undefined)).toBe(true)
  })

  it("grows a large live set by 75%, and leaves a small one the headroom V8 needs before it starts marking", () => {
    expect(growingPercentFor(200 * MB)).toBe(HEAP_GROWING_PERCENT)
    // A harvest into Parquet keeps ~12 MB: 75% of it (9 MB) had V8 start marking right after each full collection.
    expect(12 * MB * (growingPercentFor(12 * MB) / 100)).toBeGreaterThanOrEqual(MIN_HEAP_HEADROOM_BYTES)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 * MB }), (live) => {
        const percent = growingPercentFor(live)
        expect(percent).toBeGreaterThanOrEqual(HEAP_GROWING_PERCENT)
        expect(percent % 25).toBe(0) // V8's flag changes in steps, not after every collection
        expect(percent).toBeLessThanOrEqual(500)
        // The headroom is met wherever the cap allows it, and no percent beyond 75 gives more than it needs.
        if (percent < 500) expect(live * (percent / 100)).toBeGreaterThanOrEqual(MIN_HEAP_HEADROOM_BYTES)
        if (percent > HEAP_GROWING_PERCENT) expect(live * ((percent - 25) / 100)).toBeLessThan(MIN_HEAP_HEADROOM_BYTES)
      })
    )
  })

  it("runs far fewer full collections than a fixed 75% when the live set is small (the CLI's own process, built)", () => {
    // ~10 MB kept at any time, each object living long enough to be promoted: ~300 MB promoted in all.
    const module = fileURLToPath(new URL("../../dist/heap-growth.js", import.meta.url))
    const script = `
      import { constants, PerformanceObserver } from "node:perf_hooks"
      import { boundHeapGrowth } from ${JSON.stringify(module)}
      boundHeapGrowth()
      let majors = 0
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++
      }).observe({ entryTypes: ["gc"] })
      const ring = new Array(64).fill([])
      for (let i = 0; i < 2000; i++) ring[i % 64] = Array.from({ length: 10000 }, (_, n) => ({ n, i }))
      setTimeout(() => console.log(majors), 50)
    `
    const majors = (flags: ReadonlyArray<string>) => {
      const run = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], { encoding: "utf8" })
      expect(run.stderr).toBe("")
      return Number(run.stdout)
    }
    const fitted = majors([])
    const fixed = majors(["--heap-growing-percent=75"]) // a user's flag: the CLI then sets none
    expect(fixed).toBeGreaterThan(10)
    expect(fitted).toBeLessThanOrEqual(fixed / 2)
  })
})
