import type { Sandbox } from "@tikflow/sandbox"
import { startSandbox, videoFieldNames } from "@tikflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { harvestVideos, post, token } from "./support/client.js"

const allFields = videoFieldNames.join(",")

describe("video query", () => {
  let sandbox: Sandbox
  let accessToken: string
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7, world: { videos: 5000, users: 300 } })
    accessToken = await token(sandbox)
  })
  afterAll(() => sandbox.stop())

  const queries = [
    { name: "region IN", query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB"] }] } },
    {
      name: "and/or/not",
      query: {
        and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "JP", "DE"] }],
        or: [
          { field_name: "hashtag_name", operation: "EQ", field_values: ["fyp"] },
          { field_name: "keyword", operation: "EQ", field_values: ["cat"] }
        ],
        not: [{ field_name: "video_length", operation: "EQ", field_values: ["SHORT"] }]
      }
    },
    { name: "create_date GTE", query: { and: [{ field_name: "create_date", operation: "GTE", field_values: ["20240110"] }] } }
  ]

  for (const { name, query } of queries) {
    it(`paging by cursors yields exactly the ground truth (${name})`, async () => {
      const request = { query, start_date: "20240101", end_date: "20240120" }
      const truth = sandbox.groundTruth.videos(request)
      const { videos, pages } = await harvestVideos(sandbox, accessToken, request, allFields, 20)
      expect(truth.length).toBeGreaterThan(0)
      expect(pages).toBeGreaterThan(1)
      expect(videos).toEqual(truth)
    })
  }

  it("refuses a window longer than 30 days with invalid_params", async () => {
    const answer = await post(sandbox, "video/query", "id", {
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] },
      start_date: "20240101",
      end_date: "20240201",
      max_count: 10
    }, accessToken)
    expect(answer.status).toBe(400)
    expect(answer.json.error.code).toBe("invalid_params")
    expect(answer.json.error.message ?? answer.json.error.msg).toMatch(/end_date.*30 days/)
  })
})

describe("video query with counts that grow during the data lag (growingCounts)", () => {
  const DAY = 86_400_000
  const clock = { now: Date.parse("2024-01-20T12:00:00Z") }
  let sandbox: Sandbox
  let accessToken: string
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7, world: { videos: 5000, users: 300 }, dataLagHours: 48, growingCounts: true, clock: () => clock.now })
    accessToken = await token(sandbox)
  })
  afterAll(() => sandbox.stop())

  const request = {
    query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "JP"] }] },
    start_date: "20240118",
    end_date: "20240120"
  }
  const likes = (videos: ReadonlyArray<Record<string, unknown>>) => new Map(videos.map((video) => [String(video.id), Number(video.like_count ?? 0)]))

  it("a fetch within the lag equals ground truth then; a later fetch returns the same videos (and more) with counts grown to their final values", async () => {
    const early = await harvestVideos(sandbox, accessToken, request, allFields, 50)
    expect(early.videos).toEqual(sandbox.groundTruth.videos(request))
    clock.now += 10 * DAY
    accessToken = await token(sandbox) // the first one expired
    const late = await harvestVideos(sandbox, accessToken, request, allFields, 50)
    expect(late.videos).toEqual(sandbox.groundTruth.videos(request))
    const before = likes(early.videos as Array<Record<string, unknown>>)
    const after = likes(late.videos as Array<Record<string, unknown>>)
    expect([...before.keys()].every((id) => after.has(id))).toBe(true)
    expect([...before].every(([id, n]) => after.get(id)! >= n)).toBe(true)
    expect([...before].filter(([id, n]) => after.get(id)! > n).length).toBeGreaterThan(0)
    // Once the lag is over, counts are final: the world's own.
    clock.now += 10 * DAY
    accessToken = await token(sandbox)
    expect((await harvestVideos(sandbox, accessToken, request, allFields, 50)).videos).toEqual(late.videos)
  })

  it("needs a data lag", async () => {
    await expect(startSandbox({ growingCounts: true })).rejects.toThrow("growingCounts: expected a dataLagHours above 0 (counts grow during the lag)")
  })
})
