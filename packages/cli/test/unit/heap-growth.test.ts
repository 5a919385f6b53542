import { describe, expect, it } from "vitest"
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from "../../src/heap-growth.js"

describe("heap growth", () => {
  it("bounds V8's heap growth unless the user sized the heap (command line or NODE_OPTIONS, - or _)", () => {
    const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
    expect(heapGrowthFlag([], undefined)).toBe(flag)
    expect(heapGrowthFlag(["--enable-source-maps"], "--trace-warnings")).toBe(flag)
    expect(heapGrowthFlag(["--max-old-space-size=512"], undefined)).toBeUndefined()
    expect(heapGrowthFlag([], "--max_old_space_size=2048")).toBeUndefined()
    expect(heapGrowthFlag([], "--trace-gc --max-heap-size=300")).toBeUndefined()
    expect(heapGrowthFlag(["--heap-growing-percent=50"], undefined)).toBeUndefined()
  })

})
