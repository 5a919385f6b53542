import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { comments, createTikTokClient, TikTokClient } from "@tikflow/sources/internal"
import { okPage, startHostileServer } from "./support/hostile-server.js"

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

describe("comments request body", () => {
  it("sends video_id on the wire as a bare int64 literal, exact past 2^53 (core's encoder)", async () => {
    const bodies: Array<string> = []
    const server = await startHostileServer((request, res) => {
      bodies.push(request.body)
      okPage(res, `{"comments":[],"cursor":0,"has_more":false}`)
    })
    closers.push(server.close)
    const client = createTikTokClient({ baseUrl: server.url, credentials: { clientKey: "k", clientSecret: "s" }, rate: 10_000 })
    closers.unshift(() => client.close())
    const ids = ["9007199254740993", "7320768196569599275"]
    await Effect.runPromise(
      Stream.runDrain(comments({ videoIds: ids, maxCount: 50, concurrency: 1 }).pages()).pipe(Effect.provideService(TikTokClient, client.service))
    )
    expect(bodies.sort()).toEqual(ids.map((id) => `{"video_id":${id},"max_count":50,"cursor":0}`).sort())
  })
})
