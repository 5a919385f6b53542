import { fc, test } from "@fast-check/vitest"
import { emptyHarvestRecord, type HarvestRecord } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { harvestReportOf } from "../../src/report/from-history.js"

const base = (endpoint: string, patch: Partial<HarvestRecord>): HarvestRecord => ({
  ...emptyHarvestRecord({ id: `${endpoint}-0123456789abcdef`, endpoint, stream: endpoint, request: { query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] } } }, "2024-03-10T08:00:00.000Z"),
  ...patch
})

const run = (startedAt: string, finishedAt: string | null, records: number, requests: number, status: HarvestRecord["runs"][number]["status"] = "complete") =>
  ({ startedAt, finishedAt, status, records, requests, tikflowVersion: "0.1.0" })

describe("a harvest record as the report draws it", () => {
  it("a video query: covered days with their records, the pending days as the rest of the range, requests and errors by day and kind", () => {
    const report = harvestReportOf(base("videos", {
      status: "stopped",
      records: 30,
      coverage: {
        days: {
          "2024-03-01": { fetchedAt: "2024-03-10T09:00:00.000Z", records: 10, provisional: false },
          "2024-03-02": { fetchedAt: "2024-03-10T09:00:00.000Z", records: 20, provisional: false },
          "2024-03-09": { fetchedAt: "2024-03-10T09:00:00.000Z", records: 0, provisional: true }
        },
        items: {}
      },
      pending: { days: [["2024-03-03", "2024-03-12"]], counts: { "2024-03-03": 4 }, countsEpoch: 3 },
      requests: { "2024-03-10": 7, "2024-03-11": 2 },
      errors: { "server-error": 3, quota: 1 },
      runs: [run("2024-03-10T08:00:00.000Z", "2024-03-10T09:00:00.000Z", 30, 7), run("2024-03-11T08:00:00.000Z", null, 0, 2, "running")],
      sinks: ["parquet:/data/out", "postgres://alice:s3cret@db.example/research"]
    }))
    expect(report.coverage).toEqual({
      kind: "days",
      range: { from: "2024-03-01", to: "2024-03-12" },
      days: [
        { day: "2024-03-01", provisional: false, fetchedAt: "2024-03-10T09:00:00.000Z" },
        { day: "2024-03-02", provisional: false, fetchedAt: "2024-03-10T09:00:00.000Z" },
        { day: "2024-03-09", provisional: true, fetchedAt: "2024-03-10T09:00:00.000Z" }
      ]
    })
    expect(report.recordsByDay).toEqual([{ day: "2024-03-01", count: 10 }, { day: "2024-03-02", count: 20 }, { day: "2024-03-09", count: 0 }])
    expect(report.requestsByDay).toEqual([{ day: "2024-03-10", count: 7 }, { day: "2024-03-11", count: 2 }])
    expect(report.requests).toBe(9)
    expect(report.errorsByKind).toEqual([{ kind: "server-error", count: 3 }, { kind: "quota", count: 1 }])
    expect(report.runs.map((r) => [r.status, r.finishedAt])).toEqual([["complete", "2024-03-10T09:00:00.000Z"], ["running", undefined]])
    expect(report.request).toBe(`{"and":[{"field_name":"region_code","operation":"IN","field_values":["US"]}]}`)
    const typed = base("videos", {})
    expect(harvestReportOf({ ...typed, request: { ...(typed.request as object), queryText: "region_code IN (US)" } }).request).toBe("region_code IN (US)")
    expect(report.sinks).toEqual(["parquet:/data/out", "postgres://alice:***@db.example/research"])
    expect(report.tikflowVersion).toBe("0.1.0")
  })

  it("a fan-out: items harvested, refused and still pending; records by the day each run started", () => {
    const fetchedAt = "2024-03-10T09:00:00.000Z"
    const report = harvestReportOf(base("comments", {
      coverage: { days: {}, items: { "1": { fetchedAt }, "2": { fetchedAt }, "3": { fetchedAt, refused: true } } },
      pending: { items: ["3", "4", "5"], counts: {}, countsEpoch: 1 },
      runs: [run("2024-03-10T08:00:00.000Z", fetchedAt, 50, 5, "stopped"), run("2024-03-10T20:00:00.000Z", "2024-03-11T01:00:00.000Z", 7, 1), run("2024-03-12T08:00:00.000Z", null, 3, 1, "running")]
    }))
    expect(report.coverage).toEqual({ kind: "items", itemKind: "video id", covered: 2, refused: 1, total: 5 })
    expect(report.recordsByDay).toEqual([{ day: "2024-03-10", count: 57 }, { day: "2024-03-12", count: 3 }])
  })

  it("a damaged record fails naming the harvest, the field and the value, before anything is drawn", () => {
    const fetchedAt = "2024-03-10T09:00:00.000Z"
    expect(() => harvestReportOf(base("videos", { coverage: { days: { "2024-02-30": { fetchedAt, records: 1, provisional: false } }, items: {} } })))
      .toThrow(`harvest history videos-0123456789abcdef: coverage.days: expected a YYYY-MM-DD day, got "2024-02-30"`)
    expect(() => harvestReportOf(base("videos", { requests: { yesterday: 3 } })))
      .toThrow(`requests: expected a YYYY-MM-DD day, got "yesterday"`)
    expect(() => harvestReportOf(base("videos", { runs: [run("soon", null, 0, 0, "running")] })))
      .toThrow(`runs[0].startedAt: expected an ISO time, got "soon"`)
  })

  it("a video query before any day is planned has no range", () => {
    expect(harvestReportOf(base("videos", {})).coverage).toEqual({ kind: "days", range: undefined, days: [] })
    expect(harvestReportOf(base("followers", {})).coverage).toMatchObject({ kind: "items", itemKind: "username", total: 0 })
  })
})

const dayArb = fc.integer({ min: 0, max: 400 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10))

test.prop([
  fc.dictionary(dayArb, fc.record({ records: fc.nat(5000), provisional: fc.boolean() })),
  fc.dictionary(dayArb, fc.integer({ min: 1, max: 1000 }))
])("no record or request is lost on the way: the charts add up to the record's totals, every covered day lies in the range", (covered, requests) => {
  const days = Object.fromEntries(Object.entries(covered).map(([day, c]) => [day, { ...c, fetchedAt: "2025-06-01T00:00:00.000Z" }]))
  const records = Object.values(covered).reduce((sum, c) => sum + c.records, 0)
  const report = harvestReportOf(base("videos", { coverage: { days, items: {} }, records, requests }))
  expect(report.recordsByDay.reduce((sum, d) => sum + d.count, 0)).toBe(report.records)
  expect(report.requestsByDay.reduce((sum, d) => sum + d.count, 0)).toBe(report.requests)
  expect(report.requests).toBe(Object.values(requests).reduce((sum, n) => sum + n, 0))
  if (report.coverage.kind !== "days") throw new Error("expected day coverage")
  const range = report.coverage.range
  expect(report.coverage.days.every((d) => range !== undefined && d.day >= range.from && d.day <= range.to)).toBe(true)
})
