import { fc, test } from "@fast-check/vitest"
import { Effect, Exit, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { Source } from "@tikflow/core/internal"
import { comments, createTikTokClient, followers, TikTokClient, videoQuery } from "@tikflow/sources/internal"
import { okPage, startHostileServer } from "./support/hostile-server.js"

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/**
 * Runs `source` against an API that answers its n-th research request with `pages[n]` (the data
 * object); afterwards it keeps answering the last page, as a looping API would, forever. Returns how
 * the run ended and how many requests it cost.
 */
const runAgainst = async (source: Source<any, TikTokClient>, pages: ReadonlyArray<string>) => {
  const server = await startHostileServer((request, res) => okPage(res, pages[Math.min(request.index, pages.length - 1)]))
  closers.push(server.close)
  const client = createTikTokClient({ baseUrl: server.url, credentials: { clientKey: "k", clientSecret: "s" }, rate: 10_000 })
  closers.unshift(() => client.close())
  // Far more requests than the script holds would mean the loop was followed: stop there instead of hanging.
  const exit = await Effect.runPromiseExit(
    Stream.runDrain(source.pages().pipe(Stream.take(pages.length + 40))).pipe(Effect.provideService(TikTokClient, client.service))
  )
  const failure = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
  return { error: failure?._tag === "Fail" ? failure.error as { _tag: string; message: string } : undefined, requests: server.requests }
}

const videoPage = (cursor: number | null, id: number, hasMore = true) =>
  `{"videos":[{"id":${7_000_000_000_000_000_000n + BigInt(id)},"create_time":1704067200}],${cursor === null ? "" : `"cursor":${cursor},`}"has_more":${hasMore},"search_id":"s1"}`
const oneWindow = () =>
  videoQuery({ query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }, startDate: "20240101", endDate: "20240110", concurrency: 1 })

describe("cursor loops stop at the first repeat, without spending more", () => {
  test.prop([
    fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 8 }).map((xs) => [...xs].sort((a, b) => a - b)),
    fc.nat(),
    fc.constantFrom("same", "cycle", "backwards")
  ], { numRuns: 15 })("video query: a cursor that repeats, cycles or goes backwards fails the window after exactly that request", async (cursors, pick, kind) => {
    const last = cursors[cursors.length - 1]
    const bad = kind === "same" ? last : kind === "cycle" ? cursors[pick % cursors.length] : pick % last
    const pages = [...cursors.map((c, i) => videoPage(c, i)), videoPage(bad, 99)]
    const { error, requests } = await runAgainst(oneWindow(), pages)
    expect(error?._tag).toBe("CursorLoopError")
    expect(error?.message).toMatch(/^window 20240101-20240110: the API (returned cursor \d+ again|returned cursor \d+, sent earlier|moved the cursor backwards)/)
    expect(requests).toBe(cursors.length + 1)
  })

  it("video query: a page with records but no cursor, with has_more, is a repeat too", async () => {
    const { error, requests } = await runAgainst(oneWindow(), [videoPage(100, 1), videoPage(null, 2)])
    expect(error).toMatchObject({ _tag: "CursorLoopError", message: expect.stringMatching(/returned cursor 100 again/) })
    expect(requests).toBe(2)
  })

  it("video query: empty pages that keep the cursor are retried a bounded number of times, then stop", async () => {
    const { error, requests } = await runAgainst(oneWindow(), [videoPage(100, 1), `{"videos":[],"cursor":100,"has_more":true,"search_id":"s1"}`])
    expect(error).toMatchObject({ _tag: "DecodeError", message: expect.stringMatching(/pages in a row without progress/) })
    expect(requests).toBeLessThanOrEqual(1 + 26)
  })

  it("followers: the same cursor back is a typed error, not a silent end of the list", async () => {
    const page = (cursor: number, name: string) => `{"user_followers":[{"username":"${name}","display_name":"x"}],"cursor":${cursor},"has_more":true}`
    const repeated = await runAgainst(followers({ usernames: ["alice"] }), [page(1_700_000_300, "a"), page(1_700_000_300, "b")])
    expect(repeated.error).toMatchObject({ _tag: "CursorLoopError", message: expect.stringMatching(/^user alice: the API returned cursor 1700000300 again/) })
    expect(repeated.requests).toBe(2)
    const cycle = await runAgainst(followers({ usernames: ["alice"] }), [page(300, "a"), page(200, "b"), page(300, "c")])
    expect(cycle.error).toMatchObject({ _tag: "CursorLoopError", message: expect.stringMatching(/returned cursor 300, sent earlier \(a cycle\)/) })
    expect(cycle.requests).toBe(3)
  })

  it("comments: an offset cursor that goes backwards is a typed error", async () => {
    const page = (cursor: number, id: number) => `{"comments":[{"id":${id},"video_id":1,"text":"t","create_time":1}],"cursor":${cursor},"has_more":true}`
    const { error, requests } = await runAgainst(comments({ videoIds: ["1"] }), [page(100, 1), page(200, 2), page(50, 3)])
    expect(error).toMatchObject({ _tag: "CursorLoopError", message: expect.stringMatching(/^video 1: the API moved the cursor backwards from 200 to 50/) })
    expect(requests).toBe(3)
  })
})
