import { describe, expect, it } from "vitest"
import { SinkError } from "../../src/errors/sink-error.js"
import { sinkStep } from "../../src/errors/to-sink-error.js"
import { failUnsettledSinkSteps } from "../../src/sink/unsettled-steps.js"

describe("failUnsettledSinkSteps", () => {
  it("fails each sink step still awaited with a SinkError naming the sink and the step; settled steps are not touched", async () => {
    const never = sinkStep("stall:./out", "flush", () => new Promise<void>(() => {}))
    const settled = await sinkStep("ok:./out", "write", async () => 42)
    const failed = sinkStep("bad:./out", "close", async () => {
      throw new Error("disk full")
    })
    await expect(failed).rejects.toThrow("bad:./out: close failed: disk full")

    expect(failUnsettledSinkSteps()).toEqual(["stall:./out flush"])
    const error = await never.catch((cause: unknown) => cause)
    expect(error).toBeInstanceOf(SinkError)
    expect((error as SinkError).operation).toBe("flush")
    expect((error as SinkError).message).toMatch(/^stall:\.\/out: flush failed: never settled: /)
    expect(settled).toBe(42)
    // Each step fails once: none is left awaited.
    expect(failUnsettledSinkSteps()).toEqual([])
  })

  it("a step that settles later is no longer awaited", async () => {
    let resolve!: () => void
    const step = sinkStep("late:./out", "open", () => new Promise<void>((done) => (resolve = done)))
    resolve()
    await step
    expect(failUnsettledSinkSteps()).toEqual([])
  })
})
