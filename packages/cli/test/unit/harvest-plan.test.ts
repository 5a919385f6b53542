import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { emptyHarvestRecord, type HarvestRecord } from "@tikflow/core/internal"
import { daysBetween, daysOfRanges, dayRanges, planJob } from "../../src/harvest/harvest-plan.js"

const DAYS = daysBetween("2024-01-01", "2024-03-31")
const NOW = Date.parse("2024-04-01T12:00:00Z")
const OUTPUTS = ["parquet:/out"]

const recordWith = (covered: ReadonlyArray<readonly [string, boolean]>): HarvestRecord => ({
  ...emptyHarvestRecord({ id: "videos-1", endpoint: "videos", stream: "videos", request: {} }, "2024-01-01T00:00:00Z"),
  status: "complete",
  lastEpoch: 7,
  sinks: OUTPUTS,
  coverage: {
    days: Object.fromEntries(covered.map(([day, provisional]) => [day, { fetchedAt: "2024-04-01T00:00:00Z", records: 1, provisional }])),
    items: {}
  }
})

const dayRange = fc.tuple(fc.nat(DAYS.length - 1), fc.nat(DAYS.length - 1)).map(([a, b]) => DAYS.slice(Math.min(a, b), Math.max(a, b) + 1))

describe("planning a run from the harvest's history", () => {
  it("fetches exactly the requested days not covered, or covered but provisional; nothing when none", () => {
    fc.assert(fc.property(dayRange, fc.array(fc.tuple(fc.constantFrom(...DAYS), fc.boolean())), (requested, covered) => {
      const record = recordWith(covered)
      const plan = planJob({ record, requested: { kind: "days", days: requested }, outputs: OUTPUTS, fresh: false, resuming: false, now: NOW })
      const needed = requested.filter((day) => record.coverage.days[day] === undefined || record.coverage.days[day].provisional)
      if (needed.length === 0) return plan.type === "complete"
      expect(plan.type).toBe("continue")
      if (plan.type === "complete") return false
      expect(daysOfRanges(plan.days ?? [])).toEqual(needed)
      expect(plan.refetched).toEqual(needed.filter((day) => record.coverage.days[day] !== undefined))
      return true
    }))
  })

  it("the pass after a resumed one in the same run takes only days not covered: its provisional days were just fetched", () => {
    fc.assert(fc.property(dayRange, fc.array(fc.tuple(fc.constantFrom(...DAYS), fc.boolean())), (requested, covered) => {
      const record = recordWith(covered)
      const plan = planJob({ record, requested: { kind: "days", days: requested }, outputs: OUTPUTS, fresh: false, resuming: false, now: NOW, refetchProvisional: false })
      const needed = requested.filter((day) => record.coverage.days[day] === undefined)
      if (needed.length === 0) return plan.type === "complete"
      if (plan.type === "complete") return false
      expect(daysOfRanges(plan.days ?? [])).toEqual(needed)
      expect(plan.refetched).toEqual([])
      return true
    }))
  })

  it("--fresh or other outputs take everything asked for; a resume takes the stopped run's plan", () => {
    const record = { ...recordWith([["2024-01-01", false]]), pending: { days: [["2024-02-01", "2024-02-03"]] as const, counts: {}, countsEpoch: 7 } }
    const requested = { kind: "days", days: daysBetween("2024-01-01", "2024-01-05") } as const
    expect(planJob({ record, requested, outputs: OUTPUTS, fresh: true, resuming: false, now: NOW })).toMatchObject({ type: "fresh", days: [["2024-01-01", "2024-01-05"]] })
    expect(planJob({ record, requested, outputs: ["duckdb:/x"], fresh: false, resuming: false, now: NOW }))
      .toMatchObject({ type: "fresh", reason: expect.stringContaining("parquet:/out") })
    expect(planJob({ record, requested, outputs: OUTPUTS, fresh: false, resuming: true, now: NOW })).toMatchObject({ type: "resume", days: [["2024-02-01", "2024-02-03"]] })
  })

  it("day ranges group consecutive days", () => {
    expect(dayRanges(["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-03"])).toEqual([["2024-02-28", "2024-03-01"], ["2024-03-03", "2024-03-03"]])
    expect(daysBetween("20240228", "2024-03-01")).toEqual(["2024-02-28", "2024-02-29", "2024-03-01"])
  })
})
