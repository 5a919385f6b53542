import type { Sandbox } from "@tikflow/sandbox"
import { commentFieldNames, GroundTruthRefusal, startSandbox, userInfoFieldNames, videoFieldNames } from "@tikflow/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { post, token } from "./support/client.js"

const pageThrough = async (
  sandbox: Sandbox,
  accessToken: string,
  endpoint: string,
  fields: string,
  body: Record<string, unknown>,
  key: string,
  maxCount: number
): Promise<Array<any>> => {
  const out: Array<any> = []
  let cursor: number | undefined
  for (let pages = 0; pages < 10_000; pages++) {
    const answer = await post(sandbox, endpoint, fields, { ...body, max_count: maxCount, cursor }, accessToken)
    expect(answer.status, answer.text).toBe(200)
    expect(answer.json.error.code).toBe("ok")
    out.push(...answer.json.data[key])
    if (!answer.json.data.has_more) return out
    cursor = answer.json.data.cursor
  }
  throw new Error("no end")
}

describe("endpoints", () => {
  let sandbox: Sandbox
  let accessToken: string
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11, quotaPerDay: 100_000, world: { videos: 20_000, users: 300 } })
    accessToken = await token(sandbox)
  })
  afterAll(() => sandbox.stop())

  const publicUsers = () => {
    const names: Array<string> = []
    for (let u = 0; u < sandbox.world.users.count; u++) {
      const user = sandbox.world.users.user(u)
      if (user.status === "public") names.push(user.username)
    }
    return names
  }

  it("selects fields, and refuses an unknown field with invalid_params", async () => {
    const body = {
      query: { and: [{ field_name: "region_code", operation: "EQ", field_values: ["US"] }] },
      start_date: "20240105",
      end_date: "20240106",
      max_count: 50
    }
    const answer = await post(sandbox, "video/query", "id,username", body, accessToken)
    expect(answer.status).toBe(200)
    expect(answer.json.data.videos.length).toBeGreaterThan(0)
    for (const video of answer.json.data.videos) expect(Object.keys(video).sort()).toEqual(["id", "username"])
    const unknown = await post(sandbox, "video/query", "id,nope", body, accessToken)
    expect(unknown.status).toBe(400)
    expect(unknown.json.error.code).toBe("invalid_params")
    expect(unknown.json.error.message ?? unknown.json.error.msg).toContain("nope")
  })

  it("validates max_count, dates and the query with one clear message", async () => {
    const base = {
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] },
      start_date: "20240101",
      end_date: "20240102",
      max_count: 10
    }
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, max_count: 101 }, /max_count/],
      [{ ...base, max_count: 0 }, /max_count/],
      [{ ...base, start_date: "2024-01-01" }, /start_date/],
      [{ ...base, end_date: "20240231" }, /end_date/],
      [{ ...base, query: { and: [{ field_name: "colour", operation: "EQ", field_values: ["red"] }] } }, /field_name/],
      [{ ...base, query: { and: [{ field_name: "region_code", operation: "GT", field_values: ["US"] }] } }, /operation/],
      [{ ...base, query: { and: [{ field_name: "video_length", operation: "EQ", field_values: ["TINY"] }] } }, /video_length/],
      [{ ...base, search_id: "123" }, /search_id.*invalid or expired/]
    ]
    for (const [body, message] of cases) {
      const answer = await post(sandbox, "video/query", "id", body, accessToken)
      expect(answer.status).toBe(400)
      expect(answer.json.error.code).toBe("invalid_params")
      expect(answer.json.error.message ?? answer.json.error.msg).toMatch(message)
    }
  })

  it("is_random answers one random page without paging", async () => {
    const answer = await post(sandbox, "video/query", "id", {
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB"] }] },
      start_date: "20240101",
      end_date: "20240130",
      max_count: 30,
      is_random: true
    }, accessToken)
    expect(answer.status).toBe(200)
    expect(answer.json.data.videos).toHaveLength(30)
    expect(answer.json.data.has_more).toBe(false)
    const truth = new Set(sandbox.groundTruth.videos({
      query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB"] }] },
      start_date: "20240101",
      end_date: "20240130"
    }).map((v) => v.id))
    for (const video of answer.json.data.videos) expect(truth.has(video.id)).toBe(true)
  })

  it("pages comments by offset to exactly the ground truth, capped at 1,000", async () => {
    let big = -1
    let small = -1
    for (let i = 0; i < sandbox.world.videos.count && (big < 0 || small < 0); i++) {
      const v = sandbox.world.videos.video(i)
      if (v.hidden) continue
      if (v.commentCount > 1000 && big < 0) big = i
      if (v.commentCount > 30 && v.commentCount < 300 && small < 0) small = i
    }
    for (const index of [big, small]) {
      const videoId = sandbox.world.videos.idOf(index)
      const comments = await pageThrough(sandbox, accessToken, "video/comment/list", commentFieldNames.join(","), { video_id: videoId }, "comments", 100)
      const truth = sandbox.groundTruth.comments(videoId)
      expect(comments).toEqual(truth)
      expect(truth.length).toBe(Math.min(1000, sandbox.world.videos.video(index).commentCount))
      expect(comments.some((c) => c.parent_comment_id === videoId)).toBe(true)
      expect(comments.some((c) => c.parent_comment_id !== videoId)).toBe(true)
    }
    const past = await post(sandbox, "video/comment/list", "id", { video_id: sandbox.world.videos.idOf(big), cursor: 1000, max_count: 10 }, accessToken)
    expect(past.status).toBe(400)
  })

  it("pages followers and following by timestamp cursors to exactly the ground truth", async () => {
    let checked = 0
    for (const username of publicUsers()) {
      for (const [endpoint, key, truth] of [
        ["user/followers", "user_followers", () => sandbox.groundTruth.followers(username)],
        ["user/following", "user_following", () => sandbox.groundTruth.following(username)]
      ] as const) {
        let expected
        try {
          expected = truth()
        } catch (refusal) {
          expect(refusal).toBeInstanceOf(GroundTruthRefusal)
          const answer = await post(sandbox, endpoint, "username", { username, max_count: 10 }, accessToken)
          expect(answer.status).toBe(400)
          expect(answer.json.error.code).toBe("invalid_params")
          expect(answer.json.error.message ?? answer.json.error.msg).toMatch(/are private/)
          continue
        }
        if (expected.length < 25) continue
        const got = await pageThrough(sandbox, accessToken, endpoint, "display_name,username", { username }, key, 10)
        expect(got).toEqual(expected)
        checked++
      }
      if (checked >= 6) break
    }
    expect(checked).toBeGreaterThanOrEqual(6)
  })

  it("answers liked, pinned and reposted videos under their real keys, or a per-user error", async () => {
    const seen = { ok: 0, refused: 0 }
    for (const username of publicUsers().slice(0, 40)) {
      for (const [endpoint, key, truth] of [
        ["user/liked_videos", "user_liked_videos", () => sandbox.groundTruth.likedVideos(username)],
        ["user/pinned_videos", "pinned_videos_list", () => sandbox.groundTruth.pinnedVideos(username)],
        ["user/reposted_videos", "reposted_videos", () => sandbox.groundTruth.repostedVideos(username)]
      ] as const) {
        let expected
        try {
          expected = truth()
        } catch {
          const answer = await post(sandbox, endpoint, "id", { username, max_count: 20 }, accessToken)
          expect(answer.status).toBe(400)
          seen.refused++
          continue
        }
        expect(await pageThrough(sandbox, accessToken, endpoint, videoFieldNames.join(","), { username }, key, 20)).toEqual(expected)
        seen.ok++
      }
    }
    expect(seen.ok).toBeGreaterThan(10)
    expect(seen.refused).toBeGreaterThan(10)
  })

  it("answers user info with bio_url, and an error for private and unknown accounts only", async () => {
    const fields = userInfoFieldNames.join(",")
    const username = publicUsers()[0]
    const ok = await post(sandbox, "user/info", fields, { username }, accessToken)
    expect(ok.status).toBe(200)
    expect(ok.json.data).toEqual(sandbox.groundTruth.userInfo(username))
    let privateName = ""
    for (let u = 0; u < sandbox.world.users.count && privateName === ""; u++) {
      if (sandbox.world.users.user(u).status === "private") privateName = sandbox.world.users.user(u).username
    }
    for (const name of [privateName, "nobody_here", "user_99999"]) {
      const answer = await post(sandbox, "user/info", fields, { username: name }, accessToken)
      expect(answer.status).toBe(400)
      expect(answer.json.error.code).toBe("invalid_params")
      expect(answer.json.error.message ?? answer.json.error.msg).toBe(`User ${name} is private or does not exist`)
      expect(() => sandbox.groundTruth.userInfo(name)).toThrow(GroundTruthRefusal)
    }
    const some = Array.from({ length: 100 }, (_, u) => sandbox.world.users.user(u)).filter((u) => u.status === "public")
    expect(some.some((u) => "bio_url" in sandbox.groundTruth.userInfo(u.username))).toBe(true)
  })
})
