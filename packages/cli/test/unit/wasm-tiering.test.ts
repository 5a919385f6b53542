import { describe, expect, it } from "vitest"
import { WASM_TIERING_BUDGET, wasmTieringFlag } from "../../src/wasm-tiering.js"

describe("WebAssembly tier-up", () => {
  it("delays optimizing WebAssembly unless the user chose how it tiers up (command line or NODE_OPTIONS, - or _)", () => {
    const flag = `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`
    expect(wasmTieringFlag([], undefined)).toBe(flag)
    expect(wasmTieringFlag(["--max-old-space-size=512"], "--trace-warnings")).toBe(flag)
    expect(wasmTieringFlag(["--wasm-tiering-budget=1000"], undefined)).toBeUndefined()
    expect(wasmTieringFlag([], "--wasm_tiering_budget=5")).toBeUndefined()
    expect(wasmTieringFlag([], "--no-wasm-tier-up")).toBeUndefined()
    expect(wasmTieringFlag(["--no_liftoff"], undefined)).toBeUndefined()
    expect(wasmTieringFlag([], "--trace-gc --wasm-dynamic-tiering")).toBeUndefined()
  })
})
