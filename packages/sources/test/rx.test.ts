import { Effect, Stream } from "effect"
import { firstValueFrom, lastValueFrom, take, toArray } from "rxjs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { commentsForVideos, commentsForVideosObservable, pagesObservable, recordsOf, TikTokClient, toObservable, userInfoForAuthors, userInfoForAuthorsObservable, videoQuery } from "@tikflow/sources/internal"
import { clientFor, collectPages, dayOf, startSmallSandbox } from "./support/harvest-kit.js"
import type { Source, VideoQuery } from "@tikflow/core/internal"

let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox({ seed: 11 }) })
afterAll(() => sandbox.stop())

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "JP"] }] } satisfies VideoQuery
const harvest = () => videoQuery({ query, startDate: dayOf(0), endDate: dayOf(40), windowDays: 12, concurrency: 1, maxCount: 30 })

/** Open sockets and timers now must not exceed `baseline` (other tests' sockets may still be closing). */
const expectNoMoreThan = (baseline: { sockets: number; timers: number }) => {
  const now = resources()
  expect(now.sockets).toBeLessThanOrEqual(baseline.sockets)
  expect(now.timers).toBeLessThanOrEqual(baseline.timers)
}
const resources = () => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return { sockets: counts.TCPSocketWrap ?? 0, timers: counts.Timeout ?? 0 }
}
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
}
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe("RxJS face", () => {
  it("delivers the same record and page sequences as the Effect stream", async () => {
    const { client } = clientFor(sandbox)
    try {
      const fromEffect = await Effect.runPromise(
        Stream.runCollect(recordsOf(harvest())).pipe(Effect.provideService(TikTokClient, client.service))
      )
      const fromRx = await lastValueFrom(toObservable(harvest(), client).pipe(toArray()))
      expect(fromRx.length).toBeGreaterThan(50)
      expect(fromRx).toEqual(Array.from(fromEffect))
      const pages = await lastValueFrom(pagesObservable(harvest(), client).pipe(toArray()))
      // Equal but for the search_ids, which the API assigns afresh to every search, and the raw
      // responses (their own arrival times and log ids).
      const withoutSearchIds = (list: ReadonlyArray<{ records: unknown; state: unknown }>) =>
        JSON.parse(JSON.stringify(list, (key, value) => key === "searchId" || key === "responses" ? undefined : value))
      expect(withoutSearchIds(pages)).toEqual(withoutSearchIds(await collectPages(harvest(), client)))
    } finally {
      await client.close()
    }
  })

  it("pulls one page at a time: taking a few records requests no more than the page they came from", async () => {
    const { client } = clientFor(sandbox)
    try {
      const before = sandbox.stats.requests["video/query"]
      const first = await lastValueFrom(toObservable(harvest(), client).pipe(take(5), toArray()))
      expect(first).toHaveLength(5)
      expect(sandbox.stats.requests["video/query"] - before).toBe(1)
    } finally {
      await client.close()
    }
  })

  it("surfaces typed errors through `error`", async () => {
    const { client } = clientFor(sandbox, { retry: { schedules: { ServerError: null } } })
    try {
      // A one-day window cannot be split: its 500 is the harvest's error.
      sandbox.setFaults({ serverError: 1 })
      const failing = videoQuery({ query, startDate: dayOf(0), endDate: dayOf(0) })
      await expect(firstValueFrom(toObservable(failing, client))).rejects.toMatchObject({ _tag: "ServerError", status: 500 })
    } finally {
      sandbox.setFaults({ serverError: 0 })
      await client.close()
    }
  })

  it("refuses a query the request encoder refuses when the source is made, before any request", () => {
    // An unknown field, past the types: every request goes through core's encoder, which names it.
    const unknownField = { and: [{ field_name: "nope", operation: "EQ", field_values: ["x"] }] } as unknown as VideoQuery
    expect(() => videoQuery({ query: unknownField, startDate: dayOf(0), endDate: dayOf(3) })).toThrow(
      expect.objectContaining({ _tag: "ConfigError", field: "query.and[0].field_name" })
    )
  })

  it("an interruption the subscriber did not ask for ends in `error`, not in silence", async () => {
    // The old copy in sources dropped interrupt-only exits: the subscriber never heard an end.
    const interrupted: Source<"video", TikTokClient> = {
      kind: "video",
      stream: "videos",
      harvestId: "interrupted",
      pages: () => Stream.fromEffect(Effect.interrupt)
    }
    const { client } = clientFor(sandbox)
    try {
      await expect(firstValueFrom(toObservable(interrupted, client))).rejects.toMatchObject({ _tag: "StreamInterruptedError" })
      await expect(firstValueFrom(pagesObservable(interrupted, client))).rejects.toMatchObject({ _tag: "StreamInterruptedError" })
    } finally {
      await client.close()
    }
  })

  it("unsubscribing while a request hangs aborts it: no sockets or timers left", async () => {
    await settle()
    const baseline = resources()
    const { client, events } = clientFor(sandbox, { timeouts: { headersMs: 60_000, bodyMs: 60_000 } })
    sandbox.setFaults({ timeout: 1 })
    const hungBefore = sandbox.stats.faults.timeout
    try {
      const subscription = toObservable(harvest(), client).subscribe()
      await until(() => sandbox.stats.faults.timeout > hungBefore)
      subscription.unsubscribe()
      const eventsAtUnsubscribe = events.length
      await client.close()
      await settle()
      expectNoMoreThan(baseline)
      expect(events.length).toBe(eventsAtUnsubscribe) // nothing happens after unsubscribing
    } finally {
      sandbox.setFaults({ timeout: 0 })
    }
  })

  it("unsubscribing while waiting to retry cancels the timer", async () => {
    await settle()
    const baseline = resources()
    const { client, events } = clientFor(sandbox, { retry: { schedules: {} } })
    sandbox.setFaults({ rateLimit: 1, retryAfterSeconds: 600 })
    try {
      const subscription = toObservable(harvest(), client).subscribe()
      await until(() => events.some((e) => e.type === "retry"))
      subscription.unsubscribe()
      await client.close()
      await settle()
      expectNoMoreThan(baseline)
    } finally {
      sandbox.setFaults({ rateLimit: 0, retryAfterSeconds: 1 })
    }
  })
})

describe("fan-out helpers", () => {
  it("comments for a stream of videos and user info for their distinct authors", async () => {
    const { client } = clientFor(sandbox)
    try {
      const videos = recordsOf(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(2), maxCount: 100 })).pipe(Stream.take(6))
      const collected = await Effect.runPromise(Effect.all([
        Stream.runCollect(commentsForVideos(videos, { concurrency: 3 })),
        Stream.runCollect(userInfoForAuthors(videos, { concurrency: 3 })),
        Stream.runCollect(videos)
      ]).pipe(Effect.provideService(TikTokClient, client.service)))
      const [comments, users, vids] = [Array.from(collected[0]), Array.from(collected[1]), Array.from(collected[2])]
      const expected = vids.flatMap((v) => sandbox.groundTruth.comments(v.id).map((c) => c.id)).sort()
      expect(comments.map((c) => c.id).sort()).toEqual(expected)
      expect(users.map((u) => u.username).sort()).toEqual([...new Set(vids.map((v) => v.username))].sort())
    } finally {
      await client.close()
    }
  })

  it("the RxJS fan-out helpers deliver the same comments and users", async () => {
    const { client } = clientFor(sandbox)
    try {
      const videos = toObservable(videoQuery({ query, startDate: dayOf(0), endDate: dayOf(2), maxCount: 100 }), client).pipe(take(6))
      const vids = await lastValueFrom(videos.pipe(toArray()))
      const comments = await lastValueFrom(commentsForVideosObservable(videos, client, { concurrency: 3 }).pipe(toArray()))
      const users = await lastValueFrom(userInfoForAuthorsObservable(videos, client, { concurrency: 3 }).pipe(toArray()))
      expect(comments.map((c) => c.id).sort()).toEqual(vids.flatMap((v) => sandbox.groundTruth.comments(v.id).map((c) => c.id)).sort())
      expect(users.map((u) => u.username).sort()).toEqual([...new Set(vids.map((v) => v.username))].sort())
    } finally {
      await client.close()
    }
  })
})
