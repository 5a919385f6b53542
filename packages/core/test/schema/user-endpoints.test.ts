import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { parseLosslessJson } from "../../src/json/lossless-json.js"
import { socialUserFields } from "../../src/records/social-user.js"
import { userInfoFields } from "../../src/records/user-info.js"
import { videoFields } from "../../src/records/video.js"
import { decodeSocialListResponse, decodeSocialListResponseSync } from "../../src/schema/social-user.js"
import { decodeUserInfoResponse, decodeUserInfoResponseSync, userInfoLookupFailed } from "../../src/schema/user-info.js"
import { decodeUserVideoListResponse, decodeUserVideoListResponseSync } from "../../src/schema/user-video-list.js"
import type { UserVideoList } from "../../src/schema/user-video-list.js"
import { fixture } from "./fixtures.js"

const ok = { code: "ok", message: "", log_id: "202207280326050102231031430C7E754E" }

describe("decodeUserInfoResponse", () => {
  it("decodes the documentation example, absent bio_url null", () => {
    const user = decodeUserInfoResponseSync(fixture("docs-examples/example_resp_q_user.json"), "my_user")
    expect(user).toEqual({
      username: "my_user",
      display_name: "my nick name",
      bio_description: "my_bio",
      bio_url: null,
      avatar_url: "https://some_cdn.com/my_avatar",
      is_verified: false,
      follower_count: 232,
      following_count: 45,
      likes_count: 27155089,
      video_count: 44,
      lookup_error: null
    })
    expect(Object.keys(user)).toEqual([...userInfoFields])
  })

  it("decodes the real bio_url, counts beyond 32 bits, and numeric strings", async () => {
    const body = parseLosslessJson(
      `{"data":{"bio_url":"https://x.example","likes_count":12345678901,"follower_count":"42","is_verified":true,"extra":[1]},"error":{"code":"ok","msg":"ok"}}`
    )
    expect(await Effect.runPromise(decodeUserInfoResponse(body, "u"))).toMatchObject({
      bio_url: "https://x.example",
      likes_count: 12345678901,
      follower_count: 42,
      is_verified: true,
      display_name: null
    })
  })

  it("fails with the path of a wrong type", async () => {
    const error = await Effect.runPromise(Effect.flip(decodeUserInfoResponse({ data: { video_count: "many" }, error: ok }, "u")))
    expect(error).toMatchObject({ _tag: "DecodeError", endpoint: "/v2/research/user/info/", path: "data.video_count" })
    expect(error.message).toBe('data.video_count: expected an integer in ±(2^53 - 1), got "many"')
  })

  it("turns a body whose envelope is not ok into the refused-lookup record", () => {
    expect(decodeUserInfoResponseSync({ error: { code: "invalid_params", message: "private account" } }, "shy")).toMatchObject({
      username: "shy",
      display_name: null,
      lookup_error: "invalid_params"
    })
    expect(() => decodeUserInfoResponseSync({ data: {}, error: { code: "invalid_params", msg: 5 } }, "shy")).toThrow(
      expect.objectContaining({ path: "error.msg" })
    )
  })

  it("makes the record of a refused lookup", () => {
    expect(userInfoLookupFailed("ghost", "invalid_params")).toEqual({
      username: "ghost", display_name: null, bio_description: null, bio_url: null, avatar_url: null, is_verified: null,
      follower_count: null, following_count: null, likes_count: null, video_count: null, lookup_error: "invalid_params"
    })
  })
})

describe("decodeSocialListResponse", () => {
  const users = [{ display_name: "A", username: "a" }, { username: "b" }]

  it("reads followers from data.user_followers and following from data.user_following", () => {
    const followers = decodeSocialListResponseSync(
      { data: { user_followers: users, cursor: 1706745600, has_more: true }, error: ok },
      "follower",
      "alice"
    )
    expect(followers.records).toEqual([
      { username: "a", display_name: "A", of_username: "alice", relation: "follower" },
      { username: "b", display_name: null, of_username: "alice", relation: "follower" }
    ])
    expect(Object.keys(followers.records[0])).toEqual([...socialUserFields])
    expect(followers).toMatchObject({ cursor: 1706745600, hasMore: true, searchId: null })
    const following = decodeSocialListResponseSync({ data: { user_following: users, cursor: 5 }, error: ok }, "following", "alice")
    expect(following.records.map((user) => [user.username, user.relation])).toEqual([["a", "following"], ["b", "following"]])
    expect(following.hasMore).toBe(false)
  })

  it("accepts the spec's user_followers for following", async () => {
    const page = await Effect.runPromise(decodeSocialListResponse({ data: { user_followers: users }, error: ok }, "following", "bob"))
    expect(page.records.map((user) => user.username)).toEqual(["a", "b"])
  })

  it("requires a username per account, naming the path and endpoint", () => {
    expect(() => decodeSocialListResponseSync({ data: { user_following: [{ display_name: "x" }] } }, "following", "bob")).toThrow(
      expect.objectContaining({ path: "data.user_following[0].username", endpoint: "/v2/research/user/following/" })
    )
  })
})

describe("decodeUserVideoListResponse", () => {
  const video = { id: 7320768196569599275n, like_count: 3 }
  const body = (key: string) =>
    parseLosslessJson(`{"data":{"${key}":[{"id":${video.id},"like_count":3,"new_field":1}],"cursor":10,"has_more":true},"error":{"code":"ok"}}`)

  const variants: ReadonlyArray<readonly [UserVideoList, string]> = [
    ["liked", "user_liked_videos"],
    ["liked", "videos"],
    ["pinned", "pinned_videos_list"],
    ["pinned", "user_pinned_videos"],
    ["pinned", "videos"],
    ["reposted", "reposted_videos"],
    ["reposted", "user_reposted_videos"],
    ["reposted", "videos"]
  ]
  for (const [list, key] of variants) {
    it(`reads ${list} videos from data.${key}`, () => {
      const page = decodeUserVideoListResponseSync(body(key), list, "carol")
      expect(page.records).toHaveLength(1)
      expect(page.records[0]).toMatchObject({ id: "7320768196569599275", like_count: 3, of_username: "carol", list })
      expect(Object.keys(page.records[0])).toEqual([...videoFields, "of_username", "list"])
      expect(page).toMatchObject({ cursor: 10, hasMore: true })
    })
  }

  it("ignores lists of another endpoint and names the endpoint in errors", async () => {
    expect(decodeUserVideoListResponseSync(body("user_liked_videos"), "pinned", "carol").records).toEqual([])
    const error = await Effect.runPromise(
      Effect.flip(decodeUserVideoListResponse({ data: { pinned_videos_list: [{ id: "1", view_count: [] }] } }, "pinned", "carol"))
    )
    expect(error).toMatchObject({ endpoint: "/v2/research/user/pinned_videos/", path: "data.pinned_videos_list[0].view_count" })
  })
})
