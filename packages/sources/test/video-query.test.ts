import { Effect, Schedule, Stream } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { TikTokClient, videoQuery } from "@tikflow/sources/internal"
import type { VideoQueryState } from "@tikflow/sources/internal"
import { clientFor, collectPages, dayOf, recordsOfPages, startSmallSandbox } from "./support/harvest-kit.js"
import type { VideoQuery } from "@tikflow/core/internal"

let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox({ seed: 23 }) })
afterAll(() => sandbox.stop())

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "JP"] }] } satisfies VideoQuery
const truthIds = (from: number, to: number) =>
  sandbox.groundTruth.videos({ query, start_date: dayOf(from), end_date: dayOf(to) }).map((v) => v.id).sort()

it("a search_id that stays stale is replaced by a new search from the last good cursor", async () => {
  const { client, events } = clientFor(sandbox, {
    retry: { schedules: { SearchIdExpiredError: Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 1 })) } }
  })
  sandbox.setFaults({ searchIdInvalid: 1 }) // every request that sends a search_id is told it expired
  try {
    const pages = await collectPages(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(20), maxCount: 15 }), client)
    expect(pages.length).toBeGreaterThan(3)
    expect(recordsOfPages(pages).map((v) => v.id).sort()).toEqual(truthIds(0, 20))
    // Per page after the first: the stale attempt, one retry, then the new search.
    const retries = events.filter((e) => e.type === "retry" && e.kind === "SearchIdExpiredError").length
    expect(retries).toBe(pages.length - 1)
  } finally {
    sandbox.setFaults({ searchIdInvalid: 0 })
    await client.close()
  }
})

it("sends back the API's cursor, which counts hidden videos, not the records received", async () => {
  const { client } = clientFor(sandbox)
  try {
    const pages = await collectPages(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(20), maxCount: 10 }), client)
    // Without faults the API's cursor advances by max_count per page, however many videos a page held.
    const cursors = pages.slice(0, -1).map((p) => (p.state as VideoQueryState).windows[0].cursor)
    expect(cursors).toEqual(cursors.map((_, i) => (i + 1) * 10))
    expect(pages.some((p) => p.records.length < 10 && !(p.state as VideoQueryState).windows[0].done)).toBe(true)
  } finally {
    await client.close()
  }
})

it("short and empty pages with has_more are followed by the API's cursor", async () => {
  const { client } = clientFor(sandbox)
  sandbox.setFaults({ shortPage: 0.3, emptyPage: 0.4 })
  const before = { short: sandbox.stats.faults.shortPage, empty: sandbox.stats.faults.emptyPage }
  try {
    const pages = await collectPages(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(20), maxCount: 10 }), client)
    expect(sandbox.stats.faults.emptyPage - before.empty).toBeGreaterThan(0)
    expect(sandbox.stats.faults.shortPage - before.short).toBeGreaterThan(0)
    expect(recordsOfPages(pages).map((v) => v.id).sort()).toEqual(truthIds(0, 20))
  } finally {
    sandbox.setFaults({ shortPage: 0, emptyPage: 0 })
    await client.close()
  }
})

it("random: one page per window, videos from the result set, every window done", async () => {
  const { client } = clientFor(sandbox)
  try {
    const pages = await collectPages(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(20), windowDays: 7, maxCount: 10, random: true }), client)
    expect(pages).toHaveLength(3)
    const truth = new Set([...truthIds(0, 20)])
    for (const video of recordsOfPages(pages)) expect(truth.has(video.id)).toBe(true)
    expect((pages.at(-1)!.state as VideoQueryState).windows.every((w) => w.done)).toBe(true)
  } finally {
    await client.close()
  }
})

it("a source's retry override replaces the client's policy for that source only", async () => {
  const { client } = clientFor(sandbox)
  sandbox.setFaults({ serverError: 1 })
  const before = sandbox.stats.requests["video/query"]
  try {
    const source = videoQuery({ query, startDate: dayOf(0), endDate: dayOf(0), retry: { schedules: { ServerError: null } } })
    await expect(collectPages(source, client)).rejects.toMatchObject({ _tag: "ServerError", status: 500 })
    expect(sandbox.stats.requests["video/query"] - before).toBe(1) // one-day window: nothing to split, no retry
  } finally {
    sandbox.setFaults({ serverError: 0 })
    await client.close()
  }
})

it("a lone window's pages: none requested ahead at concurrency 1, one while a slow reader works on a page at concurrency 2", async () => {
  const { client } = clientFor(sandbox)
  const requests = () => sandbox.stats.requests["video/query"]
  try {
    for (const concurrency of [1, 2]) {
      const source = videoQuery({ query, startDate: dayOf(0), endDate: dayOf(20), maxCount: 10, concurrency })
      const before = requests()
      const requestedWhileReading: Array<number> = []
      await Effect.runPromise(source.pages().pipe(
        Stream.take(4),
        Stream.runForEach(() =>
          Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20))).pipe(
            Effect.andThen(Effect.sync(() => requestedWhileReading.push(requests() - before)))
          )
        ),
        Effect.provideService(TikTokClient, client.service)
      ))
      // The first page tells a slow reader apart; then each next page is requested as one is handed
      // over, and the request ahead of the last page read is the only one spent beyond the reads.
      expect(requestedWhileReading).toEqual(concurrency === 1 ? [1, 2, 3, 4] : [1, 3, 4, 5])
      expect(requests() - before).toBe(concurrency === 1 ? 4 : 5)
    }
  } finally {
    await client.close()
  }
})
