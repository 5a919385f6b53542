import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { addDays, daysFrom } from "../../src/report/days.js"
import type { HarvestReport } from "../../src/report/report-data.js"
import { renderReport } from "../../src/report/render-report.js"
import { type ChromiumPage, openInChromium } from "../support/chromium.js"
import { tempDir } from "../support/temp-dir.js"
import { barsToScale, readReportPage, textsLaidOut } from "./read-report-page.js"
import { hostile, reportFixture } from "./report-fixture.js"

describe("the report page, rendered by a real headless Chromium", () => {
  const dir = tempDir("tikflow-report-")
  let page: ChromiumPage
  let rendered: Awaited<ReturnType<typeof readReportPage>>

  beforeAll(async () => {
    const file = join(dir, "report.html")
    writeFileSync(file, renderReport(reportFixture))
    page = await openInChromium(file)
    rendered = await readReportPage(page)
  })
  afterAll(() => page?.close())

  const [videos, comments] = reportFixture.harvests
  const section = (id: string) => rendered.sections.find((s) => s.harvestId === id)!

  it("has a section per harvest and the totals in its header", () => {
    expect(rendered.sections.map((s) => s.harvestId)).toEqual(["videos-1a2b3c", "comments-9f8e7d"])
    expect(rendered.totals).toEqual({ harvests: "2 harvests", records: "9,321 records", requests: "1,740 requests" })
    expect(section(videos!.id).facts).toMatchObject({ records: "4,321", requests: "1,650" })
  })

  it("records per day: a bar per day of the range, zero days included, to scale, with its number", () => {
    const chart = section(videos!.id).records!
    const expected = new Map(videos!.recordsByDay.map((d) => [d.day, d.count]))
    expect(chart.bars.map((bar) => bar.key)).toEqual(
      ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"].map((d) => `2024-03-${d}`)
    )
    expect(chart.bars.map((bar) => bar.value)).toEqual(chart.bars.map((bar) => expected.get(bar.key) ?? 0))
    expect(barsToScale(chart.bars)).toBe(true)
    expect(chart.bars.find((bar) => bar.key === "2024-03-02")?.label).toBe("1,200")
    expect(chart.bars.find((bar) => bar.key === "2024-03-04")?.label).toBeUndefined()
  })

  it("requests per day against the 1,000 quota line, at the height of 1,000 on the same scale", () => {
    const chart = section(videos!.id).requests!
    expect(chart.bars.map((bar) => [bar.key, bar.value])).toEqual([["2024-03-10", 1000], ["2024-03-11", 650]])
    expect(chart.limit?.value).toBe(1000)
    const full = chart.bars[0]!
    expect(Math.abs(full.top - chart.limit!.y)).toBeLessThan(1.5)
    expect(barsToScale(chart.bars)).toBe(true)
    expect(chart.bars.some((bar) => bar.over)).toBe(false)
  })

  it("the overview sums every harvest's requests per day and marks a day over the quota", () => {
    const chart = rendered.overview!
    expect(chart.bars.map((bar) => [bar.key, bar.value, bar.over])).toEqual([
      ["2024-03-10", 1040, true],
      ["2024-03-11", 650, false],
      ["2024-03-12", 50, false]
    ])
    expect(barsToScale(chart.bars)).toBe(true)
  })

  it("the calendar strip: every day of the range covered, provisional or missing, as the history says", () => {
    const coverage = section(videos!.id).coverage
    const missing = ["2024-03-04", "2024-03-07", "2024-03-08"]
    const provisional = ["2024-03-09", "2024-03-10"]
    expect(coverage.days.map((d) => [d.day, d.state])).toEqual(coverage.days.map((d) => [
      d.day,
      missing.includes(d.day) ? "missing" : provisional.includes(d.day) ? "provisional" : "covered"
    ]))
    expect(coverage.days).toHaveLength(10)
    expect(coverage.days.every((d) => d.width > 5 && d.height > 5)).toBe(true)
    expect(coverage.counts).toEqual({ covered: "5", provisional: "2", missing: "3" })
    expect(section(comments!.id).coverage.items).toEqual({ covered: "40", total: "120" })
    expect(section(comments!.id).facts.coverage).toBe("40 of 120 video ids (2 refused by the API)")
  })

  it("errors by kind: a bar each, widths to scale, the kind's text shown as text", () => {
    const chart = section(videos!.id).errors!
    expect(chart.bars.map((bar) => [bar.key, bar.value])).toEqual([["server_error", 12], ["reset", 6], [hostile.kind, 3]])
    const [a, b, c] = chart.bars
    expect(b!.width / a!.width).toBeCloseTo(0.5, 2)
    expect(c!.width / a!.width).toBeCloseTo(0.25, 2)
    expect(section(comments!.id).errors).toBeUndefined()
    expect(section(comments!.id).text).toContain("No errors.")
  })

  it("the run timeline: a bar per run in order, the longer run wider, an unfinished run drawn to now", () => {
    const runs = section(videos!.id).runs
    expect(runs.map((r) => [r.run, r.status, r.records, r.requests])).toEqual([[1, "stopped", 3000, 1000], [2, "stopped", 1321, 650]])
    expect(runs[0]!.left).toBeLessThan(runs[1]!.left)
    expect(runs[0]!.width / runs[1]!.width).toBeCloseTo(4, 0) // 2 h against 30 min
    const open = section(comments!.id).runs
    expect(open.map((r) => r.status)).toEqual(["stopped", "running"])
    expect(open[1]!.width).toBeCloseTo(open[0]!.width, 0) // an hour each: the running one up to now (12:00)
    expect(open[1]!.width).toBeGreaterThan(5)
  })

  it("every label of every chart is inside it and overlaps no other", () => {
    const charts = [rendered.overview, ...rendered.sections.flatMap((s) => [s.records, s.requests, s.errors, s.timeline])].filter((c) => c !== undefined)
    expect(charts.length).toBe(8)
    expect(charts.flatMap(textsLaidOut)).toEqual([])
  })

  it("text from queries, sinks and error kinds shows as text: nothing in it runs or loads", async () => {
    expect(await page.evaluate("window.__pwned")).toBeUndefined()
    expect(await page.evaluate("document.querySelectorAll('script, img, [onerror], [onload]').length")).toBe(0)
    expect(section(videos!.id).text).toContain(hostile.request)
    expect(section(videos!.id).text).toContain(hostile.sink)
    expect(page.requests).toEqual([])
    expect(page.problems).toEqual([])
  })
})

describe("a harvest of fifteen months in Chromium", () => {
  const dir = tempDir("tikflow-report-long-")
  const days = daysFrom("2023-01-01", "2024-03-20")
  const harvest: HarvestReport = {
    ...reportFixture.harvests[0]!,
    request: "region_code IN (FR)",
    coverage: {
      kind: "days",
      range: { from: days[0]!, to: days.at(-1)! },
      days: days.flatMap((day, i) => i % 17 === 0 ? [] : [{ day, provisional: i >= days.length - 2, fetchedAt: undefined }])
    },
    recordsByDay: days.map((day, i) => ({ day, count: (i * 7919) % 900 })),
    requestsByDay: daysFrom("2024-01-01", "2024-03-20").map((day, i) => ({ day, count: (i * 37) % 1000 })),
    // A daily cron: a run of ten minutes every day for 40 days.
    runs: daysFrom("2024-02-10", "2024-03-20").map((day) => ({
      startedAt: `${day}T06:00:00.000Z`, finishedAt: `${day}T06:10:00.000Z`, status: "complete", records: 10, requests: 2
    }))
  }
  // A month of big numbers: a bar's number is printed only where it fits.
  const month: HarvestReport = {
    ...harvest,
    id: "videos-month",
    coverage: { kind: "days", range: { from: "2024-01-01", to: "2024-01-31" }, days: [] },
    recordsByDay: daysFrom("2024-01-01", "2024-01-31").map((day, i) => ({ day, count: 10_000 + i * 2_903 })),
    requestsByDay: daysFrom("2024-01-01", "2024-01-09").map((day, i) => ({ day, count: 990 - i }))
  }
  let page: ChromiumPage
  let rendered: Awaited<ReturnType<typeof readReportPage>>

  beforeAll(async () => {
    writeFileSync(join(dir, "long.html"), renderReport({ ...reportFixture, harvests: [harvest, month] }))
    page = await openInChromium(join(dir, "long.html"))
    rendered = await readReportPage(page)
  })
  afterAll(() => page?.close())

  it("draws a bar per day (445) to scale and a calendar cell per day, the labels readable", () => {
    const [section] = rendered.sections
    expect(section!.records!.bars.map((bar) => [bar.key, bar.value])).toEqual(harvest.recordsByDay.map((d) => [d.day, d.count]))
    expect(barsToScale(section!.records!.bars)).toBe(true)
    expect(section!.records!.bars.every((bar) => bar.width > 0 && bar.label === undefined)).toBe(true)
    expect(section!.coverage.days).toHaveLength(445)
    expect(section!.coverage.days.filter((d) => d.state === "missing").map((d) => d.day)).toEqual(days.filter((_, i) => i % 17 === 0))
    expect(section!.coverage.days.filter((d) => d.state === "provisional").map((d) => d.day)).toEqual([addDays("2024-03-20", -1), "2024-03-20"])
    expect(section!.coverage.counts).toEqual({ covered: "416", provisional: "2", missing: "27" })
    const runs = section!.runs
    expect(runs.map((run) => run.run)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(runs.every((run, i) => run.width >= 2.5 && (i === 0 || run.left > runs[i - 1]!.left))).toBe(true)
    const [, monthSection] = rendered.sections
    expect(monthSection!.records!.bars.every((bar) => bar.label === undefined)).toBe(true) // 6 digits in 22 px: tooltips
    expect(monthSection!.requests!.bars.map((bar) => bar.label)).toEqual(["990", "989", "988", "987", "986", "985", "984", "983", "982"])
    const charts = rendered.sections.flatMap((s) => [s.records!, s.requests!, s.timeline!])
    expect([...charts, rendered.overview!].flatMap(textsLaidOut)).toEqual([])
  })
})
