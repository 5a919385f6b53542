import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { emptyHarvestRecord, FileHistoryStore, type HarvestRecord } from "@tikflow/core/internal"
import { beforeAll, describe, expect, it } from "vitest"
import { openInChromium } from "../support/chromium.js"
import { runCli } from "../support/run-cli.js"
import { tempDir } from "../support/temp-dir.js"
import { barsToScale, readReportPage } from "./read-report-page.js"

const fetchedAt = "2024-03-10T09:00:00.000Z"
const videos: HarvestRecord = {
  ...emptyHarvestRecord({ id: "videos-00000000000000a1", endpoint: "videos", stream: "videos", request: { query: { and: [] }, queryText: "region_code IN (US)" } }, "2024-03-10T08:00:00.000Z"),
  status: "complete",
  records: 35,
  coverage: {
    days: {
      "2024-03-01": { fetchedAt, records: 10, provisional: false },
      "2024-03-03": { fetchedAt, records: 25, provisional: false },
      "2024-03-08": { fetchedAt, records: 0, provisional: true }
    },
    items: {}
  },
  requests: { "2024-03-10": 12 },
  errors: { "server-error": 2 },
  runs: [{ startedAt: "2024-03-10T08:00:00.000Z", finishedAt: fetchedAt, status: "complete", records: 35, requests: 12, tikflowVersion: "0.1.0" }],
  sinks: ["ndjson:/data/videos.ndjson"],
  // Two run commands' counts: added up per output, column and reason.
  changed: {
    "0a0a0a0a0a0a": [{ sink: "parquet:/data/videos", changes: [{ column: "video_description", reason: "lone-surrogate", count: 2 }] }],
    "0b0b0b0b0b0b": [
      { sink: "parquet:/data/videos", changes: [{ column: "video_description", reason: "lone-surrogate", count: 1 }] },
      { sink: "postgres://u:secret@db/x", changes: [{ column: "video_description", reason: "nul-escaped", count: 1 }] }
    ]
  }
}
const comments: HarvestRecord = {
  ...emptyHarvestRecord({ id: "comments-00000000000000b2", endpoint: "comments", stream: "comments", request: { fields: ["id", "text"] } }, "2024-03-11T08:00:00.000Z"),
  records: 4,
  coverage: { days: {}, items: { "7": { fetchedAt } } },
  requests: { "2024-03-11": 3 },
  runs: [{ startedAt: "2024-03-11T08:00:00.000Z", finishedAt: "2024-03-11T08:01:00.000Z", status: "complete", records: 4, requests: 3, tikflowVersion: "0.1.0" }]
}

describe("tikflow report", () => {
  const dir = tempDir("tikflow-report-cmd-")
  const state = join(dir, "state")

  beforeAll(async () => {
    const store = new FileHistoryStore(join(state, "history"))
    for (const record of [videos, comments]) await store.update(record.id, () => record)
  })

  it("writes the history of a state directory as a page whose charts show its numbers", async () => {
    const result = await runCli(["report", "--state", state, "--out", "out/report.html"], { cwd: dir })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`report written to ${join(dir, "out", "report.html")}: 2 harvests, 39 records, 15 requests`)
    const page = await openInChromium(join(dir, "out", "report.html"))
    try {
      const { sections, totals } = await readReportPage(page)
      expect(totals).toEqual({ harvests: "2 harvests", records: "39 records", requests: "15 requests" })
      const [v, c] = sections
      expect(v!.harvestId).toBe(videos.id)
      expect(v!.text).toContain("region_code IN (US)")
      expect(v!.records!.bars.map((bar) => [bar.key, bar.value])).toEqual([
        ["2024-03-01", 10], ["2024-03-02", 0], ["2024-03-03", 25], ["2024-03-04", 0],
        ["2024-03-05", 0], ["2024-03-06", 0], ["2024-03-07", 0], ["2024-03-08", 0]
      ])
      expect(barsToScale(v!.records!.bars)).toBe(true)
      expect(v!.coverage.counts).toEqual({ covered: "2", provisional: "1", missing: "5" })
      expect(v!.requests!.bars.map((bar) => [bar.key, bar.value])).toEqual([["2024-03-10", 12]])
      expect(v!.errors!.bars.map((bar) => [bar.key, bar.value])).toEqual([["server-error", 2]])
      expect(v!.runs).toHaveLength(1)
      expect(c!.coverage.items).toEqual({ covered: "1", total: "1" })
      // Values stored changed: the total among the facts, a row per output, column and reason; no password.
      expect([v!.facts.changed, c!.facts.changed]).toEqual(["4", "0"])
      expect(JSON.parse(await page.evaluate(
        "JSON.stringify([...document.querySelectorAll('#harvest-1 tr[data-changed]')].map((tr) => [...tr.cells].map((td) => td.textContent)))"
      ) as string)).toEqual([
        ["parquet:/data/videos", "video_description", "a lone UTF-16 surrogate stored as U+FFFD", "3"],
        ["postgres://u:***@db/x", "video_description", "U+0000 stored escaped (\\0, named in _tikflow_nul_fields)", "1"]
      ])
      expect(v!.text).not.toContain("secret")
      expect(c!.text).toContain("No values stored changed.")
      expect(page.requests).toEqual([])
    } finally {
      await page.close()
    }
  })

  it("--harvest ID reports that harvest alone; --json prints where the page went", async () => {
    const result = await runCli(["report", "--state", state, "--out", "one.html", "--harvest", comments.id, "--json"], { cwd: dir })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ report: join(dir, "one.html"), harvests: 1, records: 4, requests: 3, history: join(state, "history") })
  })

  it("an empty state directory gives a page that says so, not an error", async () => {
    const result = await runCli(["report", "--state", join(dir, "nothing"), "--out", "empty.html"], { cwd: dir })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("0 harvests")
    const page = await openInChromium(join(dir, "empty.html"))
    try {
      expect(await page.evaluate("document.querySelector('.empty').textContent")).toContain("No harvests are recorded")
    } finally {
      await page.close()
    }
  })

  it("bad input gets one line naming what is wrong, and writes nothing", async () => {
    const noOut = await runCli(["report", "--state", state], { cwd: dir })
    expect([noOut.code, noOut.stderr]).toEqual([2, "tikflow: report: --out FILE is required (the HTML file to write)\n"])
    const unknown = await runCli(["report", "--state", state, "--out", "x.html", "--harvest", "videos-ffff"], { cwd: dir })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe(`tikflow: report: --harvest videos-ffff: no such harvest in ${join(state, "history")} (it has ${videos.id}, ${comments.id})\n`)
    const broken = join(dir, "broken")
    mkdirSync(join(broken, "history"), { recursive: true })
    writeFileSync(join(broken, "history", "videos-0000000000000000.json"), "{not json")
    const corrupt = await runCli(["report", "--state", broken, "--out", "x.html"], { cwd: dir })
    expect(corrupt.code).toBe(1)
    expect(corrupt.stderr).toMatch(/^tikflow: harvest history .*videos-0000000000000000\.json: not valid JSON .*; fix or remove the file\n$/)
    expect(existsSync(join(dir, "x.html"))).toBe(false)
  })
})
