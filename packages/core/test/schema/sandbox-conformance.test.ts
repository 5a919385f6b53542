// By path: the sandbox depends on core, so core cannot list it as a package dependency.
import type { Sandbox } from "../../../sandbox/src/index.js"
import { GroundTruthRefusal, startSandbox } from "../../../sandbox/src/index.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseLosslessJson } from "../../src/json/lossless-json.js"
import { parseQueryText } from "../../src/query/query-text.js"
import { decodeCommentListResponseSync } from "../../src/schema/comment-list.js"
import { fieldsParameter } from "../../src/schema/endpoint-fields.js"
import type { ResearchDataEndpoint } from "../../src/schema/endpoint-fields.js"
import { decodeErrorEnvelopeSync } from "../../src/schema/error-envelope.js"
import type { DecodedPage } from "../../src/schema/list-page.js"
import { encodeCommentListRequest, encodeSocialListRequest, encodeUserInfoRequest, encodeVideoQueryRequest } from "../../src/schema/request-bodies.js"
import { researchEndpoints } from "../../src/schema/research-endpoints.js"
import { decodeSocialListResponseSync } from "../../src/schema/social-user.js"
import { decodeTokenResponseSync, encodeTokenRequest } from "../../src/schema/token.js"
import { decodeUserInfoResponseSync } from "../../src/schema/user-info.js"
import { decodeUserVideoListResponseSync } from "../../src/schema/user-video-list.js"
import type { UserVideoList } from "../../src/schema/user-video-list.js"
import { decodeVideoQueryResponseSync } from "../../src/schema/video-query.js"

// Every decoder against the embedded Research API: ids arrive as bare numbers on half the
// responses, `msg` replaces `message` on some; what we decode must be exactly the ground truth.
describe("decoders against the sandbox", () => {
  let sandbox: Sandbox
  let accessToken: string

  const call = async (endpoint: ResearchDataEndpoint, body: string): Promise<{ status: number; json: unknown }> => {
    const response = await fetch(`${sandbox.url}${researchEndpoints[endpoint]}?fields=${fieldsParameter(endpoint)}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
      body
    })
    return { status: response.status, json: parseLosslessJson(await response.text()) }
  }

  const pageThrough = async <R>(
    endpoint: ResearchDataEndpoint,
    body: (cursor: number | undefined, searchId: string | null) => string,
    decode: (json: unknown) => DecodedPage<R>
  ): Promise<Array<R>> => {
    const records: Array<R> = []
    let cursor: number | undefined
    let searchId: string | null = null
    for (let pages = 0; pages < 1000; pages++) {
      const answer = await call(endpoint, body(cursor, searchId))
      expect(answer.status).toBe(200)
      const page = decode(answer.json)
      expect(page.error.code).toBe("ok")
      records.push(...page.records)
      if (!page.hasMore) return records
      cursor = page.cursor ?? undefined
      searchId = page.searchId
    }
    throw new Error("paging did not end")
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7, quotaPerDay: 100_000, bareNumberIdShare: 0.5, msgKeyShare: 0.5, world: { videos: 5000, users: 200 } })
    const response = await fetch(`${sandbox.url}${researchEndpoints.token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: encodeTokenRequest(sandbox.credentials)
    })
    const token = decodeTokenResponseSync(await response.json())
    if (token._tag !== "Token") throw new Error(token.error)
    accessToken = token.accessToken
  })
  afterAll(() => sandbox.stop())

  it("refuses bad credentials with the flat token error", async () => {
    const response = await fetch(`${sandbox.url}${researchEndpoints.token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: encodeTokenRequest({ clientKey: "nobody", clientSecret: "nothing" })
    })
    expect(decodeTokenResponseSync(await response.json())).toMatchObject({ _tag: "TokenRefused", error: "invalid_client" })
  })

  it("video query: every page decodes and the videos are the ground truth", async () => {
    const query = parseQueryText("region_code IN (US, CA, GB) AND NOT video_length = SHORT")
    const window = { start_date: "20240110", end_date: "20240124" }
    const videos = await pageThrough(
      "videoQuery",
      (cursor, searchId) =>
        encodeVideoQueryRequest({ query, ...window, max_count: 100, ...(cursor === undefined ? {} : { cursor }), ...(searchId === null ? {} : { search_id: searchId }) }),
      (json) => decodeVideoQueryResponseSync(json)
    )
    const truth = decodeVideoQueryResponseSync({ data: { videos: sandbox.groundTruth.videos({ query, ...window }) } }).records
    expect(truth.length).toBeGreaterThan(20)
    expect(videos).toEqual(truth)
  })

  it("comments, user info and every user list decode to the ground truth", async () => {
    const candidates = sandbox.groundTruth.videos({ query: parseQueryText("region_code = US"), start_date: "20240101", end_date: "20240130" })
    // The video with the most comments, so that comment paging takes several pages.
    const video = candidates.reduce((best, next) =>
      sandbox.groundTruth.comments(String(next.id)).length > sandbox.groundTruth.comments(String(best.id)).length ? next : best
    )
    expect(sandbox.groundTruth.comments(String(video.id)).length).toBeGreaterThan(100)
    const comments = await pageThrough(
      "commentList",
      (cursor) => encodeCommentListRequest({ video_id: String(video.id), max_count: 100, ...(cursor === undefined ? {} : { cursor }) }),
      (json) => decodeCommentListResponseSync(json)
    )
    expect(comments).toEqual(decodeCommentListResponseSync({ data: { comments: sandbox.groundTruth.comments(String(video.id)) } }).records)

    let checkedLists = 0
    for (let u = 0; u < sandbox.world.users.count && checkedLists < 12; u++) {
      const username = sandbox.world.users.user(u).username
      const info = await call("userInfo", encodeUserInfoRequest({ username }))
      if (info.status !== 200) {
        expect(decodeErrorEnvelopeSync(info.json, researchEndpoints.userInfo).code).not.toBe("ok")
        expect(() => sandbox.groundTruth.userInfo(username)).toThrow(GroundTruthRefusal)
        continue
      }
      expect(decodeUserInfoResponseSync(info.json, username)).toEqual(
        decodeUserInfoResponseSync({ data: sandbox.groundTruth.userInfo(username) }, username)
      )
      for (const relation of ["follower", "following"] as const) {
        let truth
        try {
          truth = relation === "follower" ? sandbox.groundTruth.followers(username) : sandbox.groundTruth.following(username)
        } catch {
          continue
        }
        const endpoint = relation === "follower" ? "followers" : "following"
        const users = await pageThrough(
          endpoint,
          (cursor) => encodeSocialListRequest({ username, max_count: 100, ...(cursor === undefined ? {} : { cursor }) }),
          (json) => decodeSocialListResponseSync(json, relation, username)
        )
        expect(users).toEqual(truth.map((user) => ({ username: user.username, display_name: user.display_name ?? null, of_username: username, relation })))
        checkedLists++
      }
      const lists: ReadonlyArray<readonly [UserVideoList, ResearchDataEndpoint]> = [["liked", "likedVideos"], ["pinned", "pinnedVideos"], ["reposted", "repostedVideos"]]
      for (const [list, endpoint] of lists) {
        let truth
        try {
          truth = list === "liked" ? sandbox.groundTruth.likedVideos(username) : list === "pinned" ? sandbox.groundTruth.pinnedVideos(username) : sandbox.groundTruth.repostedVideos(username)
        } catch {
          continue
        }
        const videos = await pageThrough(
          endpoint,
          (cursor) => encodeSocialListRequest({ username, max_count: 100, ...(cursor === undefined ? {} : { cursor }) }),
          (json) => decodeUserVideoListResponseSync(json, list, username)
        )
        expect(videos).toEqual(decodeUserVideoListResponseSync({ data: { videos: truth } }, list, username).records)
        checkedLists++
      }
    }
    expect(checkedLists).toBeGreaterThanOrEqual(12)
  })
})
