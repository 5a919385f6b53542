import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { Source } from "@tikflow/core/internal"
import { comments, createTikTokClient, followers, TikTokClient, userInfo, videoQuery } from "@tikflow/sources/internal"
import { okPage, startHostileServer } from "./support/hostile-server.js"

/**
 * A source's `plan` (what `--dry-run` prints) is exactly what its run sends first: for every window
 * or item still to harvest, the body of its first request, byte for byte — fresh and resumed.
 */
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** Every research request a run of `source` sends (each answered as the last, empty page), by path and body. */
const sent = async (source: Source<any, TikTokClient>, resumeFrom?: unknown): Promise<Array<{ path: string; body: string }>> => {
  const requests: Array<{ path: string; body: string }> = []
  const server = await startHostileServer((request, res) => {
    requests.push({ path: request.path.split("?")[0], body: request.body })
    if (request.path.includes("/user/info/")) return okPage(res, `{"display_name":"x","username":"x"}`)
    okPage(res, `{"videos":[],"comments":[],"user_followers":[],"cursor":0,"has_more":false,"search_id":"1"}`)
  })
  closers.push(server.close)
  const client = createTikTokClient({ baseUrl: server.url, credentials: { clientKey: "k", clientSecret: "s" }, rate: 10_000 })
  closers.unshift(() => client.close())
  await Effect.runPromise(Stream.runDrain(source.pages(resumeFrom === undefined ? {} : { resumeFrom })).pipe(Effect.provideService(TikTokClient, client.service)))
  return requests
}

const planned = (source: Source<any, TikTokClient>, resumeFrom?: unknown) =>
  source.plan!(resumeFrom).map((request) => ({ path: request.endpoint, body: request.body }))

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "CA"] }] } as const

describe("source plans", () => {
  it("video query: one request per window, fresh or resumed from a saved cursor and search_id (exact past 2^53)", async () => {
    const source = videoQuery({ query, startDate: "2024-01-01", endDate: "2024-02-20", windowDays: 7, concurrency: 1 })
    const fresh = planned(source)
    expect(fresh).toHaveLength(8)
    expect(fresh).toEqual(await sent(source))
    const state = {
      version: 1,
      windows: [
        { start: "20240101", end: "20240107", cursor: null, searchId: null, done: true },
        { start: "20240108", end: "20240114", cursor: "123456789012345678901", searchId: "7301444411024176102", done: false },
        { start: "20240115", end: "20240121", cursor: null, searchId: null, done: false }
      ]
    }
    const resumed = planned(source, state)
    expect(resumed.map((request) => request.body)).toEqual([
      `{"query":${JSON.stringify(query)},"start_date":"20240108","end_date":"20240114","max_count":100,"cursor":123456789012345678901,"search_id":"7301444411024176102"}`,
      `{"query":${JSON.stringify(query)},"start_date":"20240115","end_date":"20240121","max_count":100}`
    ])
    expect(resumed).toEqual(await sent(source, state))
  })

  it("fan-outs: one request per item still to harvest, the one in progress from its cursor", async () => {
    const users = followers({ usernames: ["a", "b", "c"], maxCount: 50 })
    expect(planned(users)).toEqual(await sent(users))
    expect(planned(users, { version: 1, index: 1, cursor: 1712345678 })).toEqual([
      { path: "/v2/research/user/followers/", body: `{"username":"b","max_count":50,"cursor":1712345678}` },
      { path: "/v2/research/user/followers/", body: `{"username":"c","max_count":50}` }
    ])
    expect(planned(users, { version: 1, index: 1, cursor: 1712345678 })).toEqual(await sent(users, { version: 1, index: 1, cursor: 1712345678 }))

    const videoComments = comments({ videoIds: ["9007199254740993", "7320768196569599275"] })
    expect(planned(videoComments)).toEqual(await sent(videoComments))
    expect(planned(videoComments, { version: 1, index: 0, cursor: 950 })[0].body).toBe(`{"video_id":9007199254740993,"max_count":50,"cursor":950}`)

    const info = userInfo({ usernames: ["a", "b"] })
    expect(planned(info)).toEqual(await sent(info))
    expect(planned(info, { version: 1, index: 2, cursor: null })).toEqual([])
  })
})
