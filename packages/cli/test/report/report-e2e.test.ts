import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseQueryText } from "@tikflow/core/internal"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ChromiumPage, openInChromium } from "../support/chromium.js"
import { readNdjson } from "../support/read-outputs.js"
import { runCli } from "../support/run-cli.js"
import { useSandbox } from "../support/sandbox.js"
import { tempDir } from "../support/temp-dir.js"
import { barsToScale, readReportPage, type RenderedSection, textsLaidOut } from "./read-report-page.js"

// Server errors on 30% of requests (a seeded sequence): the harvest retries them and the history counts them.
const fixture = useSandbox({ faults: { serverError: 0.3 } })
const QUERY = "region_code IN (US, CA)"
const DAY_MS = 86_400_000

/** TIKFLOW_CLOCK_OFFSET_MS putting the CLI's clock at `iso`, so the sandbox's 2024 days can be recent. */
const clockAt = (iso: string) => ({ TIKFLOW_CLOCK_OFFSET_MS: String(Date.parse(iso) - Date.now()) })

/** The sandbox's videos for the query, counted by the UTC day they were created. */
const groundTruthByDay = (from: string, to: string): Map<string, number> => {
  const compact = (day: string) => day.replaceAll("-", "")
  const counts = new Map<string, number>()
  for (const video of fixture.sandbox.groundTruth.videos({ query: parseQueryText(QUERY), start_date: compact(from), end_date: compact(to) })) {
    const day = new Date(Number(video.create_time) * 1000).toISOString().slice(0, 10)
    counts.set(day, (counts.get(day) ?? 0) + 1)
  }
  return counts
}

describe("harvest from the sandbox, then tikflow report, read back by Chromium", () => {
  const dir = tempDir("tikflow-report-e2e-")
  let page: ChromiumPage
  let videos: RenderedSection
  let history: { requests: Record<string, number>; records: number; errors: Record<string, number> }

  beforeAll(async () => {
    const argv = (to: string) => ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", to, "--window-days", "10", "--out", "ndjson:./videos.ndjson", "--state", "st"]
    // Two daily-crawl runs: the second extends the range and re-fetches the first one's provisional days.
    const first = await runCli(argv("2024-01-15"), { cwd: dir, env: fixture.env(clockAt("2024-01-16T12:00:00Z")) })
    expect(first.code, first.stderr).toBe(0)
    const second = await runCli(argv("2024-01-27"), { cwd: dir, env: fixture.env(clockAt("2024-01-28T12:00:00Z")) })
    expect(second.code, second.stderr).toBe(0)
    const report = await runCli(["report", "--state", "st", "--out", "report.html"], { cwd: dir, env: clockAt("2024-01-28T13:00:00Z") })
    expect(report.code, report.stderr).toBe(0)
    const [file] = readdirSync(join(dir, "st", "history")).filter((name) => name.startsWith("videos-") && name.endsWith(".json"))
    history = JSON.parse(readFileSync(join(dir, "st", "history", file!), "utf8"))
    page = await openInChromium(join(dir, "report.html"))
    const rendered = await readReportPage(page)
    expect(rendered.sections).toHaveLength(1)
    videos = rendered.sections[0]!
  })
  afterAll(() => page?.close())

  it("records per day: the sandbox's videos per creation day, every day of the range, to scale", () => {
    const truth = groundTruthByDay("2024-01-01", "2024-01-27")
    const days = Array.from({ length: 27 }, (_, i) => new Date(Date.parse("2024-01-01T00:00:00Z") + i * DAY_MS).toISOString().slice(0, 10))
    expect(videos.records!.bars.map((bar) => [bar.key, bar.value])).toEqual(days.map((day) => [day, truth.get(day) ?? 0]))
    expect(barsToScale(videos.records!.bars)).toBe(true)
    // …which is what the sink holds: one row per video (a provisional day re-fetched is kept once).
    const rows = readNdjson(join(dir, "videos.ndjson"))
    expect(new Set(rows.map((row) => row.id)).size).toBe([...truth.values()].reduce((sum, n) => sum + n, 0))
    expect(videos.facts.records).toBe(history.records.toLocaleString("en-US"))
  })

  it("the calendar: every day covered, the last two (ended < 48 h before the second run) provisional", () => {
    expect(videos.coverage.days).toHaveLength(27)
    expect(videos.coverage.days.filter((d) => d.state !== "covered").map((d) => [d.day, d.state])).toEqual([
      ["2024-01-26", "provisional"],
      ["2024-01-27", "provisional"]
    ])
    expect(videos.coverage.counts).toEqual({ covered: "25", provisional: "2", missing: "0" })
  })

  it("requests per UTC day: the history's, on each run's day, and all the sandbox received", () => {
    // A bar for every day from the first run's to the second's, the days between at zero.
    expect(videos.requests!.bars).toHaveLength(13)
    expect(videos.requests!.bars.filter((bar) => bar.value > 0).map((bar) => [bar.key, bar.value])).toEqual(Object.entries(history.requests).sort())
    expect(Object.keys(history.requests).sort()).toEqual(["2024-01-16", "2024-01-28"])
    expect(videos.requests!.limit?.value).toBe(1000)
    // Research requests: the token requests do not count against the quota.
    const received = Object.entries(fixture.sandbox.stats.requests as Record<string, number>)
      .filter(([endpoint]) => endpoint !== "oauth/token")
      .reduce((sum, [, n]) => sum + n, 0)
    expect(videos.requests!.bars.reduce((sum, bar) => sum + bar.value, 0)).toBe(received)
  })

  it("errors by kind: the retried server errors, as the history counts them", () => {
    expect(Object.keys(history.errors).length).toBeGreaterThan(0)
    expect(videos.errors!.bars.map((bar) => [bar.key, bar.value]).sort()).toEqual(Object.entries(history.errors).sort())
    expect(fixture.sandbox.stats.faults.serverError).toBeGreaterThanOrEqual(Object.values(history.errors).reduce((sum, n) => sum + n, 0))
  })

  it("two runs on the timeline, complete, their records adding up; every label readable; nothing loaded", () => {
    expect(videos.runs.map((run) => run.status)).toEqual(["complete", "complete"])
    expect(videos.runs[0]!.left).toBeLessThan(videos.runs[1]!.left)
    expect([videos.records!, videos.requests!, videos.timeline!].flatMap(textsLaidOut)).toEqual([])
    expect(page.requests).toEqual([])
    expect(page.problems).toEqual([])
  })
})
