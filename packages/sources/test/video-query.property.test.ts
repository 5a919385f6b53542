import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, expect } from "vitest"
import type { Video } from "@tikflow/core/internal"
import type { Sandbox } from "@tikflow/sandbox"
import { videoFieldNames } from "@tikflow/sandbox"
import { videoQuery } from "@tikflow/sources/internal"
import { clientFor, collectPages, dayOf, fastRetry, recordsOfPages, researchRequests, sameRecord, startSmallSandbox } from "./support/harvest-kit.js"
import type { VideoQuery } from "@tikflow/core/internal"

let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox() })
afterAll(() => sandbox.stop())

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "JP", "BR", "FR"] }] } satisfies VideoQuery

/** Ground truth of a long range, assembled from ≤ 30-day windows (windows are disjoint by day). */
const truthOf = (from: number, to: number) => {
  const out = []
  for (let s = from; s <= to; s += 30) {
    out.push(...sandbox.groundTruth.videos({ query, start_date: dayOf(s), end_date: dayOf(Math.min(to, s + 29)) }))
  }
  return out
}

const faultRates = fc.record({
  serverError: fc.constantFrom(0, 0.05, 0.1),
  gatewayTimeout: fc.constantFrom(0, 0.05),
  rateLimitNoRetryAfter: fc.constantFrom(0, 0.05),
  reset: fc.constantFrom(0, 0.03),
  malformed: fc.constantFrom(0, 0.03),
  truncated: fc.constantFrom(0, 0.03),
  tokenExpiry: fc.constantFrom(0, 0.03),
  shortPage: fc.constantFrom(0, 0.1),
  emptyPage: fc.constantFrom(0, 0.1),
  repeat: fc.constantFrom(0, 0.1),
  searchIdInvalid: fc.constantFrom(0, 0.1)
})

test.prop([
  fc.integer({ min: 0, max: 50 }),
  fc.integer({ min: 0, max: 45 }),
  fc.integer({ min: 1, max: 30 }),
  fc.integer({ min: 1, max: 3 }),
  fc.constantFrom(20, 50, 100),
  faultRates
], { numRuns: 6 })(
  "delivers exactly the ground truth under random faults, windows and page sizes; retries bounded",
  async (from, length, windowDays, concurrency, maxCount, faults) => {
    const to = Math.min(59, from + length)
    sandbox.setFaults(faults)
    const before = researchRequests(sandbox)
    const { client, events } = clientFor(sandbox)
    try {
      const source = videoQuery({ query, startDate: dayOf(from), endDate: dayOf(to), windowDays, concurrency, maxCount })
      const records = recordsOfPages(await collectPages(source, client))
      const truth = truthOf(from, to)
      const byId = new Map<string, Video>(records.map((r) => [r.id, r]))
      expect(byId.size).toBe(records.length) // nothing delivered twice within a run
      expect([...byId.keys()].sort()).toEqual(truth.map((v) => v.id).sort())
      for (const video of truth) {
        expect(sameRecord(byId.get(video.id) as never, video as never, videoFieldNames)).toBe(true)
      }
      // Every request went through the client's gate (rate limiter, quota ledger), none was refused for quota.
      const requests = events.filter((e) => e.type === "request").length
      expect(researchRequests(sandbox) - before).toBe(requests)
      expect(sandbox.stats.quotaRejections).toBe(0)
      for (const e of events) if (e.type === "retry") expect(e.attempt).toBeLessThanOrEqual(fastRetry.maxRetries)
    } finally {
      sandbox.setFaults(Object.fromEntries(Object.keys(faults).map((k) => [k, 0])))
      await client.close()
    }
  }
)
