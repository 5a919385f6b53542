import { Schema } from "effect"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { parseLosslessJson } from "../../src/json/lossless-json.js"
import { Query } from "../../src/query/query-builder.js"
import { endpointFields, fieldsParameter, userInfoApiFields, videoApiFields } from "../../src/schema/endpoint-fields.js"
import {
  encodeCommentListRequest,
  encodeSocialListRequest,
  encodeUserInfoRequest,
  encodeVideoQueryRequest,
  videoQueryBodies,
  VideoQueryRequest
} from "../../src/schema/request-bodies.js"
import { readApiFixture } from "../../../../test/fixtures/api-fixtures.js"
import { refusal } from "../support/config-refusal.js"


const query = Query.and(Query.field("region_code").eq("US"))

describe("request bodies", () => {
  it("accepts the documentation's example request and encodes it back", () => {
    const example = JSON.parse(readApiFixture("docs-examples/example_request.json")) as unknown
    const request = Schema.decodeUnknownSync(VideoQueryRequest)(example)
    expect(JSON.parse(encodeVideoQueryRequest(request))).toEqual(example)
  })

  it("encodes a video query with cursor, search_id and is_random", () => {
    const body = encodeVideoQueryRequest({
      query,
      start_date: "20240101",
      end_date: "20240131",
      max_count: 100,
      cursor: 200,
      search_id: "7354367454467855403",
      is_random: false
    })
    expect(JSON.parse(body)).toEqual({
      query: { and: [{ field_name: "region_code", operation: "EQ", field_values: ["US"] }] },
      start_date: "20240101",
      end_date: "20240131",
      max_count: 100,
      cursor: 200,
      search_id: "7354367454467855403",
      is_random: false
    })
  })

  it("refuses invalid requests, naming the field", () => {
    const base = { query, start_date: "20240101", end_date: "20240107", max_count: 100 }
    expect(refusal(() => encodeVideoQueryRequest({ ...base, max_count: 101 })).field).toBe("max_count")
    expect(refusal(() => encodeVideoQueryRequest({ ...base, max_count: 0 })).message).toMatch(/^video query request: max_count: /)
    expect(refusal(() => encodeVideoQueryRequest({ ...base, start_date: "2024-01-01" })).message).toBe(
      'video query request: start_date: expected a date YYYYMMDD, got "2024-01-01"'
    )
    expect(refusal(() => encodeVideoQueryRequest({ ...base, end_date: "20240301" })).message).toBe(
      "video query request: end_date: expected at most 30 days after start_date (got 60)"
    )
    expect(refusal(() => encodeVideoQueryRequest({ ...base, end_date: "20231231" })).field).toBe("end_date")
    expect(
      refusal(() =>
        encodeVideoQueryRequest({ ...base, query: { and: [{ field_name: "region_code", operation: "IN", field_values: [] }] } })
      ).field
    ).toBe("query.and[0].field_values")
    expect(refusal(() => encodeVideoQueryRequest({ ...base, query: {} })).field).toBe("query")
    expect(refusal(() => encodeCommentListRequest({ video_id: "123", max_count: 100, cursor: 950 })).field).toBe("cursor")
    expect(refusal(() => encodeUserInfoRequest({ username: "@bob" })).message).toBe(
      'user info request: username: expected a username without @, got "@bob"'
    )
  })

  it("encodes the other endpoints' bodies", () => {
    expect(encodeCommentListRequest({ video_id: "7320768196569599275", max_count: 100, cursor: 900 })).toBe(
      `{"video_id":7320768196569599275,"max_count":100,"cursor":900}`
    )
    expect(encodeUserInfoRequest({ username: "bob" })).toBe(`{"username":"bob"}`)
    expect(encodeSocialListRequest({ username: "bob", max_count: 100, cursor: 1706745600 })).toBe(
      `{"username":"bob","max_count":100,"cursor":1706745600}`
    )
  })
})

describe("video query bodies of one search", () => {
  const base = { query, start_date: "20240101", end_date: "20240130", max_count: 100 }

  test.prop([
    fc.option(fc.nat(), { nil: null }),
    fc.option(fc.string(), { nil: null }),
    fc.option(fc.boolean(), { nil: undefined })
  ])("each page's body is the one encoder's, byte for byte, whatever the cursor, search_id and is_random", (cursor, searchId, random) => {
    const request = { ...base, ...(random === undefined ? {} : { is_random: random }) }
    const body = videoQueryBodies(request)({ cursor, searchId })
    expect(body).toBe(encodeVideoQueryRequest({
      ...request,
      ...(cursor === null ? {} : { cursor }),
      ...(searchId === null ? {} : { search_id: searchId })
    }))
  })

  it("sends a cursor past 2^53 back digit for digit, bare, and refuses one that is no cursor", () => {
    const bodies = videoQueryBodies(base)
    const body = bodies({ cursor: "9007199254740993", searchId: "7354367454467855403" })
    expect(body).toContain(`"max_count":100,"cursor":9007199254740993,"search_id":"7354367454467855403"}`)
    expect(parseLosslessJson(body)).toMatchObject({ cursor: "9007199254740993", search_id: "7354367454467855403" })
    for (const cursor of [-1, 1.5, "12a", "-3", ""]) expect(refusal(() => bodies({ cursor, searchId: null })).field).toBe("cursor")
  })

  it("checks the search once, when made: a bad query or window is refused naming the field", () => {
    expect(refusal(() => videoQueryBodies({ ...base, end_date: "20240301" })).field).toBe("end_date")
    expect(refusal(() => videoQueryBodies({ ...base, query: {} })).field).toBe("query")
  })
})

describe("comment list body", () => {
  it("sends video_id as the API documents it, a bare int64 literal, exact past 2^53", () => {
    // 2^53 + 1 and the largest int64: a JS number would round both, and the old core copy quoted the id.
    for (const id of ["9007199254740993", "9223372036854775807"]) {
      const body = encodeCommentListRequest({ video_id: id, max_count: 10 })
      expect(body).toBe(`{"video_id":${id},"max_count":10}`)
      expect(parseLosslessJson(body)).toEqual({ video_id: id, max_count: 10 })
    }
  })

  test.prop([fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.integer({ min: 1, max: 100 })])(
    "any int64 id goes out digit for digit as a bare number",
    (id, count) => {
      const body = encodeCommentListRequest({ video_id: id.toString(), max_count: count, cursor: 0 })
      expect(body).toBe(`{"video_id":${id.toString()},"max_count":${count},"cursor":0}`)
      expect(BigInt((parseLosslessJson(body) as { video_id: string }).video_id)).toBe(id)
    }
  )

  it("refuses an id that is not a decimal integer before writing it bare", () => {
    for (const id of ["12a", "-5", "1e3", "", "1 2", '1,"x":2']) {
      expect(refusal(() => encodeCommentListRequest({ video_id: id, max_count: 10 })).field).toBe("video_id")
    }
  })
})

describe("fields", () => {
  it("lists each endpoint's fields, with the real extras", () => {
    expect(videoApiFields).toContain("effect_info_list")
    expect(videoApiFields).toContain("is_stem_verified")
    expect(userInfoApiFields).toContain("bio_url")
    expect(endpointFields.following).toEqual(["display_name", "username"])
    expect(fieldsParameter("commentList")).toBe("id,video_id,text,like_count,reply_count,parent_comment_id,create_time")
    expect(fieldsParameter("videoQuery", ["id", "username"])).toBe("id,username")
  })

  it("refuses unknown fields", () => {
    expect(refusal(() => fieldsParameter("userInfo", ["display_name", "email"])).message).toBe(
      'fields: expected one of display_name, bio_description, bio_url, avatar_url, is_verified, follower_count, following_count, likes_count, video_count, got "email"'
    )
  })
})
