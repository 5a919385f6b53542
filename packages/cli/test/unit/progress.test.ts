import { PassThrough } from "node:stream"
import { describe, expect, it } from "vitest"
import { Output } from "../../src/output/output.js"
import { formatProgressLine } from "../../src/progress/format-progress.js"
import { startProgressDisplay } from "../../src/progress/progress-display.js"
import { ProgressTracker } from "../../src/progress/progress-tracker.js"
import { workOfState } from "../../src/harvest/work-of-state.js"

const stream = (isTTY: boolean) => {
  const chunks: Array<string> = []
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number }
  s.isTTY = isTTY
  s.columns = 200
  s.on("data", (chunk) => chunks.push(String(chunk)))
  return { s, text: () => chunks.join("") }
}

describe("progress", () => {
  it("folds events into records, pages, requests, quota, retries by kind, window, rate and ETA", () => {
    let now = 0
    const tracker = new ProgressTracker("videos", () => now)
    tracker.begin("videos 2024-01-01..2024-01-10")
    tracker.listener({ type: "request", endpoint: "/q", status: 200, durationMs: 5 })
    tracker.listener({ type: "page", endpoint: "/q", records: 40, window: "20240101-20240105", hasMore: true })
    tracker.listener({ type: "retry", endpoint: "/q", kind: "ServerError", attempt: 1, delayMs: 500 })
    tracker.listener({ type: "retry", endpoint: "/q", kind: "ServerError", attempt: 2, delayMs: 900 })
    tracker.listener({ type: "retry", endpoint: "/q", kind: "NetworkError", attempt: 1, delayMs: 500 })
    tracker.listener({ type: "quota", used: 12, limit: 1000, resetAt: "2024-01-02T00:00:00.000Z" })
    tracker.setWork(5, 10)
    now = 10_000
    const snapshot = tracker.snapshot()
    expect(snapshot).toMatchObject({ records: 40, pages: 1, requests: 1, quota: { used: 12, limit: 1000 }, retries: { ServerError: 2, NetworkError: 1 }, window: "20240101-20240105", done: 0.5 })
    expect(snapshot.rate).toBeCloseTo(4)
    expect(snapshot.etaMs).toBeCloseTo(10_000)
    expect(formatProgressLine(snapshot)).toBe(
      "videos 2024-01-01..2024-01-10 · 40 records · 1 pages · 1 requests · quota 12/1000 · retries 3 (ServerError 2, NetworkError 1) · window 20240101-20240105 · 4.0 rec/s · 50% · ETA 10s · 10s"
    )
  })

  it("reads the work done from a source's resume state", () => {
    const windows = { version: 1, windows: [{ start: "20240101", end: "20240110", done: true }, { start: "20240111", end: "20240130", done: false }] }
    expect(workOfState(windows, undefined)).toEqual({ done: 10, total: 30 })
    expect(workOfState({ version: 1, index: 3, cursor: null }, 8)).toEqual({ done: 3, total: 8 })
    expect(workOfState({ something: "else" }, 8)).toBeUndefined()
  })

  it("rewrites one line in place on a TTY and clears it at the end", async () => {
    const err = stream(true)
    const display = startProgressDisplay(new Output(stream(false).s, err.s), { label: "users", intervalMs: 5 })
    display.listener({ type: "page", endpoint: "/u", records: 1, hasMore: false })
    await new Promise((resolve) => setTimeout(resolve, 30))
    display.stop()
    expect(err.text()).toMatch(/^\r\x1b\[Kusers · 1 records/)
    expect(err.text().endsWith("\r\x1b[K")).toBe(true)
  })

  it("prints JSON events with --log-format json, plain lines otherwise, nothing with --quiet", async () => {
    const json = stream(false)
    startProgressDisplay(new Output(stream(false).s, json.s, "json"), { label: "x" }).listener({ type: "checkpoint", harvestId: "h", epoch: 3 })
    expect(JSON.parse(json.text())).toMatchObject({ type: "progress", event: { type: "checkpoint", harvestId: "h", epoch: 3 } })
    const plain = stream(false)
    const display = startProgressDisplay(new Output(stream(false).s, plain.s), { label: "plain", intervalMs: 5 })
    await new Promise((resolve) => setTimeout(resolve, 30))
    display.stop()
    expect(plain.text()).toMatch(/^plain · 0 records .*\n/)
    expect(plain.text()).not.toContain("\x1b")
    const quiet = stream(false)
    const silent = startProgressDisplay(new Output(stream(false).s, quiet.s, "text", true), { label: "q", intervalMs: 5 })
    silent.listener({ type: "page", endpoint: "/u", records: 1, hasMore: false })
    await new Promise((resolve) => setTimeout(resolve, 30))
    silent.stop()
    expect(quiet.text()).toBe("")
  })
})
