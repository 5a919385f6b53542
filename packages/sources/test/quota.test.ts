import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Stream } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { SourcePage, Video } from "@tikflow/core/internal"
import type { Sandbox } from "@tikflow/sandbox"
import { harvestIdOf, recordsOf, TikTokClient, videoQuery } from "@tikflow/sources/internal"
import { clientFor, dayOf, researchRequests, startSmallSandbox } from "./support/harvest-kit.js"
import type { VideoQuery } from "@tikflow/core/internal"

let now = Date.UTC(2024, 6, 1, 20)
let sandbox: Sandbox
let stateDir: string
beforeAll(async () => {
  sandbox = await startSmallSandbox({ seed: 21, clock: () => now })
  stateDir = await mkdtemp(join(tmpdir(), "tikflow-quota-"))
})
afterAll(async () => {
  await sandbox.stop()
  await rm(stateDir, { recursive: true, force: true })
})

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE"] }] } satisfies VideoQuery

/** Runs pages until the stream ends or fails; returns the pages delivered and how it ended. */
const runPages = async (source: ReturnType<typeof videoQuery>, client: ReturnType<typeof clientFor>["client"], resumeFrom?: unknown) => {
  const pages: Array<SourcePage<Video>> = []
  const exit = await Effect.runPromiseExit(
    Stream.runForEach(source.pages({ resumeFrom }), (page) => Effect.sync(() => pages.push(page))).pipe(
      Effect.provideService(TikTokClient, client.service)
    )
  )
  return { pages, exit }
}

test.prop([fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 1_000 })], { numRuns: 4 })(
  "never sends more requests per day than the ledger allows; stops resumably and finishes the next day",
  async (limit, salt) => {
    const ledgerPath = join(stateDir, `ledger-${limit}-${salt}.json`)
    const source = () => videoQuery({ query, startDate: dayOf(0), endDate: dayOf(20), windowDays: 7, maxCount: 10 })
    const truth = [0, 7, 14].flatMap((s) =>
      sandbox.groundTruth.videos({ query, start_date: dayOf(s), end_date: dayOf(Math.min(20, s + 6)) }).map((v) => v.id))
    const delivered: Array<string> = []
    let resumeFrom: unknown = undefined
    const start = researchRequests(sandbox)
    let days = 0
    for (let day = 0; day < 40; day++) {
      days++
      const { client, events } = clientFor(sandbox, { clock: () => now, quota: { limit, ledgerPath, onExhausted: "stop" } })
      try {
        const { pages, exit } = await runPages(source(), client, resumeFrom)
        delivered.push(...pages.flatMap((p) => p.records.map((v) => v.id)))
        if (pages.length > 0) resumeFrom = pages.at(-1)!.state
        // A window's request interrupted by another window's QuotaExhaustedError may reach the
        // sandbox a moment later, so the sandbox's count is checked over all days (below).
        expect(events.filter((e) => e.type === "request").length).toBeLessThanOrEqual(limit)
        expect(events.filter((e) => e.type === "quota").every((e) => e.type === "quota" && e.used <= limit)).toBe(true)
        if (Exit.isSuccess(exit)) break
        expect(JSON.stringify(exit.cause)).toContain("QuotaExhaustedError")
      } finally {
        await client.close()
      }
      now += 86_400_000
    }
    expect(researchRequests(sandbox) - start).toBeLessThanOrEqual(limit * days)
    expect(sandbox.stats.quotaRejections).toBe(0)
    expect([...delivered].sort()).toEqual(truth.sort())
  }
)

it("the layer provides the client and closes it with its scope", async () => {
  const { client } = clientFor(sandbox)
  await client.close()
  const records = await Effect.runPromise(
    Stream.runCollect(recordsOf(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(3) }))).pipe(
      Effect.provide(TikTokClient.layer({ baseUrl: sandbox.url, credentials: sandbox.credentials, rate: 1000, clock: () => now }))
    )
  )
  expect(Array.from(records).map((v) => v.id).sort()).toEqual(
    sandbox.groundTruth.videos({ query, start_date: dayOf(0), end_date: dayOf(3) }).map((v) => v.id).sort()
  )
})

it("harvest ids are stable per normalized request", () => {
  const a = videoQuery({ query, startDate: "2024-01-01", endDate: "20240131" })
  const b = videoQuery({ query, startDate: "20240101", endDate: "2024-01-31", windowDays: 30 })
  const c = videoQuery({ query, startDate: "20240101", endDate: "20240131", windowDays: 7 })
  // Its range and the days it harvests are part of it.
  expect(videoQuery({ query, startDate: "20240101", endDate: "20240331" }).harvestId).not.toBe(a.harvestId)
  expect(videoQuery({ query, startDate: "20240101", endDate: "20240131", days: [["20240105", "20240110"]] }).harvestId).not.toBe(a.harvestId)
  expect(a.harvestId).toBe(b.harvestId)
  expect(a.harvestId).not.toBe(c.harvestId)
  expect(a.harvestId).toMatch(/^videos-[0-9a-f]{16}$/)
  expect(harvestIdOf("x", { b: 1, a: [1, 2] })).toBe(harvestIdOf("x", { a: [1, 2], b: 1 }))
})

it("bad options fail with one line naming the field", () => {
  expect(() => videoQuery({ query, startDate: "2024-13-01", endDate: "20240131" })).toThrow(/^startDate: expected a calendar date/)
  expect(() => videoQuery({ query, startDate: "20240201", endDate: "20240131" })).toThrow(/^endDate: expected a date on or after/)
  expect(() => videoQuery({ query, startDate: "20240101", endDate: "20240131", windowDays: 0 })).toThrow(/^windowDays: expected an integer from 1 to 30/)
  expect(() => videoQuery({ query, startDate: "20240101", endDate: "20240131", maxCount: 101 })).toThrow(/^maxCount: expected/)
})
