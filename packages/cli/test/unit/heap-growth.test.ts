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

  it("refits V8's percent after each full collection to what survived it (a fresh process, the built module)", () => {
    // V8's flags cannot be read back, so the child records what the module sets; gc() is a full collection.
    const module = fileURLToPath(new URL("../../dist/heap-growth.js", import.meta.url))
    const script = `
      import v8 from "node:v8"
      const set = []
      const setFlags = v8.setFlagsFromString
      v8.setFlagsFromString = (flags) => { set.push(flags); setFlags(flags) }
      const { boundHeapGrowth } = await import(${JSON.stringify(module)})
      const collected = () => { globalThis.gc(); return new Promise((resolve) => setTimeout(resolve, 50)) }
      boundHeapGrowth()
      await collected()
      let kept = Array.from({ length: 2e6 }, (_, n) => ({ n })) // ~60 MB survives
      await collected()
      kept = undefined
      await collected()
      console.log(JSON.stringify(set))
    `
    const run = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(run.stderr).toBe("")
    const percents = (JSON.parse(run.stdout) as Array<string>).map((flags) => Number(/^--heap-growing-percent=(\d+)$/.exec(flags)?.[1]))
    // Small at start (the headroom's percent), 75 once ~60 MB survive, the headroom's again once they are gone.
    expect(percents.length).toBe(3)
    expect(percents[0]).toBeGreaterThan(HEAP_GROWING_PERCENT)
    expect(percents[1]).toBe(HEAP_GROWING_PERCENT)
    expect(percents[2]).toBeGreaterThan(HEAP_GROWING_PERCENT)
  })

  it("sets nothing when the user sized the heap", () => {
    const module = fileURLToPath(new URL("../../dist/heap-growth.js", import.meta.url))
    const script = `
      import v8 from "node:v8"
      const set = []
      v8.setFlagsFromString = (flags) => set.push(flags)
      const { boundHeapGrowth } = await import(${JSON.stringify(module)})
      boundHeapGrowth()
      globalThis.gc()
      setTimeout(() => console.log(JSON.stringify(set)), 50)
    `
    const run = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=512", "--input-type=module", "-e", script], { encoding: "utf8" })
    expect(run.stderr).toBe("")
    expect(JSON.parse(run.stdout)).toEqual([])
  })
})
