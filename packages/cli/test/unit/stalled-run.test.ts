import { PassThrough } from "node:stream"
import { describe, expect, it, vi } from "vitest"
import { Output } from "../../src/output/output.js"
import { watchForStall } from "../../src/stalled-run.js"

// The stall of a sink step is covered end to end (stalled-sink.test.ts); here, a stall with no
// sink step awaited, which no CLI run can reach on purpose: Node's loop going empty is called by hand.

const text = () => {
  const chunks: Array<string> = []
  const stream = new PassThrough()
  stream.on("data", (chunk) => chunks.push(String(chunk)))
  return { stream, text: () => chunks.join("") }
}

describe("watchForStall", () => {
  it("with no sink step awaited: one error line, exit code 1, said once; gone after dispose", async () => {
    const stderr = text()
    const before = process.listeners("beforeExit")
    const exitCode = process.exitCode
    const watch = watchForStall(new Output(text().stream, stderr.stream))
    const added = process.listeners("beforeExit").filter((listener) => !before.includes(listener))
    expect(added).toHaveLength(1)
    try {
      added[0](0)
      await vi.waitFor(() => expect(stderr.text()).toMatch(/^tikflow: the command stalled: .*\n$/), { timeout: 30_000 })
      expect(process.exitCode).toBe(1)
      // Said, the process may end: the watch no longer listens.
      expect(process.listeners("beforeExit")).toEqual(before)
    } finally {
      watch.dispose()
      process.exitCode = exitCode
    }
    expect(process.listeners("beforeExit")).toEqual(before)
  })

  it("dispose stops the watch when the command returns", () => {
    const before = process.listenerCount("beforeExit")
    const watch = watchForStall(new Output(text().stream, text().stream))
    expect(process.listenerCount("beforeExit")).toBe(before + 1)
    watch.dispose()
    expect(process.listenerCount("beforeExit")).toBe(before)
  })
})
