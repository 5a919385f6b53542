import { PassThrough } from "node:stream"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Output } from "../../src/output/output.js"
import { formatProgressBar, formatProgressLine } from "../../src/progress/format-progress.js"
import { startProgressDisplay } from "../../src/progress/progress-display.js"
import { ProgressTracker } from "../../src/progress/progress-tracker.js"
import { noteOldestDays, workOfState } from "../../src/harvest/work-of-state.js"

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
    // The numbers that matter first: share done, ETA, records, requests, quota left.
    expect(formatProgressLine(snapshot)).toBe(
      "50% · ETA 10s · 40 records · 1 requests · quota 988 left · videos 2024-01-01..2024-01-10 · retries 3 (ServerError 2, NetworkError 1) · window 20240101-20240105 · 4.0 rec/s · 10s"
    )
  })

  it("counts the items the API refused, by their kind's event", () => {
    const tracker = new ProgressTracker("comments of 3 videos", () => 0)
    tracker.listener({ type: "item-refused", endpoint: "/c", itemKind: "video_id", item: "1", code: "invalid_params", message: "Video 1 does not exist" })
    tracker.listener({ type: "item-refused", endpoint: "/c", itemKind: "video_id", item: "2", code: "invalid_params", message: "Video 2 does not exist" })
    expect(formatProgressLine(tracker.snapshot())).toMatch(/ · 2 refused · /)
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
    expect(err.text()).toMatch(/^\r\x1b\[K1 records · 0 requests · users/)
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
    expect(plain.text()).toMatch(/^0 records · 0 requests · plain · .*\n/)
    expect(plain.text()).not.toContain("\x1b")
    const quiet = stream(false)
    const silent = startProgressDisplay(new Output(stream(false).s, quiet.s, "text", true), { label: "q", intervalMs: 5 })
    silent.listener({ type: "page", endpoint: "/u", records: 1, hasMore: false })
    await new Promise((resolve) => setTimeout(resolve, 30))
    silent.stop()
    expect(quiet.text()).toBe("")
  })

  it("counts each job on its own; the run's totals add every job up", () => {
    let now = 0
    const tracker = new ProgressTracker("run", () => now)
    tracker.begin("videos: videos 2024-01-01..2024-01-31")
    for (let i = 0; i < 5; i++) tracker.listener({ type: "request", endpoint: "/q", status: 200, durationMs: 5 })
    tracker.listener({ type: "page", endpoint: "/q", records: 100, hasMore: false })
    tracker.listener({ type: "retry", endpoint: "/q", kind: "ServerError", attempt: 1, delayMs: 5 })
    tracker.setWork(31, 31)
    now = 60_000
    tracker.begin("comments: comments of 10 videos")
    now = 70_000
    tracker.listener({ type: "request", endpoint: "/c", status: 200, durationMs: 5 })
    tracker.listener({ type: "page", endpoint: "/c", records: 7, hasMore: false })
    tracker.setWork(1, 10)
    const job = tracker.snapshot()
    expect(job).toMatchObject({ label: "comments: comments of 10 videos", records: 7, pages: 1, requests: 1, retries: {}, done: 0.1, elapsedMs: 10_000 })
    expect(job.etaMs).toBeCloseTo(90_000)
    expect(tracker.totals()).toEqual({ requests: 6, retries: { ServerError: 1 } })
  })

  it("a video query's share is the days covered: a running window counts down from its last day to its oldest video", () => {
    const state = { version: 1, windows: [{ start: "20240101", end: "20240130", done: false, cursor: 100, searchId: "s" }, { start: "20240131", end: "20240229", done: false, cursor: null, searchId: null }] }
    const oldest = new Map<string, number>()
    const at = (day: string) => Date.parse(`${day}T12:00:00Z`) / 1000
    // Newest first: a page of the first window reaching back to Jan 21 covers Jan 21..30 but for Jan 21 itself.
    noteOldestDays(state, [{ create_time: at("2024-01-30") }, { create_time: at("2024-01-21") }, { create_time: null }], oldest)
    expect(workOfState(state, undefined, oldest)).toEqual({ done: 9, total: 60 })
    noteOldestDays(state, [{ create_time: at("2024-01-02") }], oldest)
    expect(workOfState(state, undefined, oldest)).toEqual({ done: 28, total: 60 })
    // A finished window counts whole, whatever was seen.
    const finished = { version: 1, windows: [{ ...state.windows[0], done: true }, state.windows[1]] }
    expect(workOfState(finished, undefined, oldest)).toEqual({ done: 30, total: 60 })
  })

  it("the oldest day per running window is each window's minimum over its records, whatever order pages mix windows in", () => {
    const day0 = Date.UTC(2024, 0, 1) / 86_400_000
    const windowsArb = fc.array(fc.record({ days: fc.integer({ min: 1, max: 5 }), done: fc.boolean() }), { minLength: 1, maxLength: 4 })
    fc.assert(
      fc.property(windowsArb, fc.array(fc.array(fc.option(fc.integer({ min: -2, max: 24 }), { nil: null }), { maxLength: 12 }), { maxLength: 5 }), (shape, pages) => {
        let first = day0
        const bounds = shape.map(({ days, done }) => {
          const w = { first, last: first + days - 1, done }
          first += days
          return w
        })
        const text = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "")
        const state = { version: 1, windows: bounds.map((w) => ({ start: text(w.first), end: text(w.last), done: w.done })) }
        const oldest = new Map<string, number>()
        const expected = new Map<string, number>()
        for (const page of pages) {
          const records = page.map((offset) => ({ create_time: offset === null ? null : (day0 + offset) * 86_400 + 3_600 }))
          noteOldestDays(state, records, oldest)
          // The reference: each record on its own.
          for (const offset of page) {
            if (offset === null) continue
            const w = bounds.find((b) => b.first <= day0 + offset && day0 + offset <= b.last)
            if (w === undefined || w.done) continue
            const key = `${text(w.first)}-${text(w.last)}`
            expected.set(key, Math.min(expected.get(key) ?? Infinity, day0 + offset))
          }
        }
        expect(Object.fromEntries(oldest)).toEqual(Object.fromEntries(expected))
      })
    )
  })

  it("the live line fits the terminal, numbers first, bar and colour only when asked", () => {
    const snapshot = (done: number | undefined) => {
      let now = 0
      const tracker = new ProgressTracker("videos 2024-01-01..2024-03-31", () => now)
      tracker.listener({ type: "page", endpoint: "/q", records: 123_456, hasMore: true })
      tracker.listener({ type: "quota", used: 210, limit: 1000, resetAt: "x" })
      tracker.listener({ type: "retry", endpoint: "/q", kind: "ServerError", attempt: 1, delayMs: 5 })
      if (done !== undefined) tracker.setWork(done * 90, 90)
      now = 30_000
      return tracker.snapshot()
    }
    fc.assert(fc.property(fc.integer({ min: 10, max: 300 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), (width, done) => {
      const line = formatProgressBar(snapshot(done), width, false)
      expect(line.length).toBeLessThan(Math.max(11, width))
      expect(line).not.toContain("\x1b")
      if (done !== undefined && width >= 40) expect(line).toMatch(new RegExp(`^[█░]+ ${Math.floor(done * 100)}%( · |$)`))
    }))
    expect(formatProgressBar(snapshot(0.5), 100, false)).toBe("██████████░░░░░░░░░ 50% · ETA 30s · 123,456 records · 0 requests · quota 790 left")
    expect(formatProgressBar(snapshot(0.5), 100, true)).toContain("\x1b[32m")
  })

  it("NO_COLOR and a stderr that is not a terminal get no colour", async () => {
    const err = stream(true)
    const display = startProgressDisplay(new Output(stream(false).s, err.s), { label: "v", intervalMs: 5, env: { NO_COLOR: "1" } })
    display.tracker.setWork(1, 2)
    await new Promise((resolve) => setTimeout(resolve, 30))
    display.stop()
    expect(err.text()).toContain("50%")
    expect(err.text().replaceAll("\r\x1b[K", "")).not.toContain("\x1b")
    const coloured = stream(true)
    const live = startProgressDisplay(new Output(stream(false).s, coloured.s), { label: "v", intervalMs: 5, env: {} })
    live.tracker.setWork(1, 2)
    await new Promise((resolve) => setTimeout(resolve, 30))
    live.stop()
    expect(coloured.text()).toContain("\x1b[32m")
  })
})
