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
