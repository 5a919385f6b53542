import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { DecodeError } from "../../src/errors/api-errors.js"
import { videoFields } from "../../src/records/video.js"
import { parseLosslessJson } from "../../src/json/lossless-json.js"
import { decodeVideoQueryResponse, decodeVideoQueryResponseSync } from "../../src/schema/video-query.js"
import { fixture } from "./fixtures.js"

const decodeError = (body: unknown): DecodeError => {
  try {
    decodeVideoQueryResponseSync(body)
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError)
    return error as DecodeError
  }
  throw new Error("expected a DecodeError")
}

describe("decodeVideoQueryResponse", () => {
  it("decodes the recorded page: 27 videos, cursor 100, ids exact, omitted fields null", () => {
    const page = decodeVideoQueryResponseSync(fixture("recorded/video_query_page.json"))
    expect(page.records).toHaveLength(27)
    expect(page.cursor).toBe(100)
    expect(page.hasMore).toBe(true)
    expect(page.searchId).toBe("7354367454467855403")
    expect(page.error).toEqual({ code: "ok", message: "", logId: "20240405132544A8A35938AA061A19F445" })
    expect(page.records[0]).toMatchObject({ id: "7320768196569599275", music_id: "7159460238003800066", like_count: 6 })
    for (const video of page.records) {
      expect(Object.keys(video)).toEqual([...videoFields])
      expect(video.id).toMatch(/^\d{19}$/)
    }
    expect(page.records.some((video) => video.like_count === null)).toBe(true)
    expect(page.records.some((video) => video.effect_ids !== null)).toBe(true)
  })

  it("keeps an id overflowing int64 as its exact digits on the edited last page", () => {
    const page = decodeVideoQueryResponseSync(fixture("recorded/video_query_last_page_edited.json"))
    expect(page.records[0].id).toBe("73207681965695992750")
    expect(page.hasMore).toBe(false)
    expect(page.cursor).toBe(200)
  })

  it("keeps NUL characters and unicode as sent", () => {
    const page = decodeVideoQueryResponseSync(fixture("recorded/video_query_unicode_null_bytes.json"))
    expect(page.records[0].username).toBe("u\u0000s\u0000e\u0000r\u0000_\u00000\u00002")
    expect(page.records[0].hashtag_names).toContain("الباشا👑")
    expect(page.records[0].id).toBe("7435406205763226897")
    expect(page.hasMore).toBe(false)
  })

  it("accepts the documentation's `video_id` for `id`", () => {
    const page = decodeVideoQueryResponseSync(fixture("docs-examples/example_resp_q_videos.json"))
    expect(page.records).toHaveLength(2)
    expect(page.records[0].id).toBe("702874395068494965")
    expect(page.records[0].effect_ids).toEqual(["0"])
    expect(page.searchId).toBe("7201388525814961198")
  })

  it("decodes the real extra fields, nested ones as JSON text", () => {
    const body = parseLosslessJson(`{"data":{"videos":[{"id":7320768196569599275,"effect_ids":[7117937853412904962,"123"],
      "playlist_id":7291245678901234567,"voice_to_text":"hi","is_stem_verified":true,"video_duration":15.2,
      "video_mention_list":["user_001"],"video_label":{"content":"AIGC"},"video_tag":[{"type":1}],
      "hashtag_info_list":[{"hashtag_id":7000000000000000001,"hashtag_name":"cats"}],
      "sticker_info_list":[],"effect_info_list":[{"effect_id":"1","effect_name":"x"}],"brand_new_field":{"a":1}}],
      "cursor":1,"has_more":false},"error":{"code":"ok","msg":"ok","log_id":"L"}}`)
    const [video] = decodeVideoQueryResponseSync(body).records
    expect(video).toMatchObject({
      id: "7320768196569599275",
      effect_ids: ["7117937853412904962", "123"],
      playlist_id: "7291245678901234567",
      voice_to_text: "hi",
      is_stem_verified: true,
      video_duration: 15.2,
      video_mention_list: ["user_001"],
      video_label: `{"content":"AIGC"}`,
      video_tag: `[{"type":1}]`,
      hashtag_info_list: `[{"hashtag_id":"7000000000000000001","hashtag_name":"cats"}]`,
      sticker_info_list: "[]",
      effect_info_list: `[{"effect_id":"1","effect_name":"x"}]`,
      username: null
    })
    expect(video).not.toHaveProperty("brand_new_field")
    expect(decodeVideoQueryResponseSync(body).error).toEqual({ code: "ok", message: "ok", logId: "L" })
  })

  it("accepts numeric strings for counts and numbers for ids (through the schema path)", () => {
    const page = decodeVideoQueryResponseSync({
      data: { videos: [{ id: 12, like_count: "34", create_time: "1704499196", music_id: "5" }], cursor: "100", has_more: true },
      error: { code: "ok", message: "" }
    })
    expect(page.records[0]).toMatchObject({ id: "12", like_count: 34, create_time: 1704499196, music_id: "5" })
    expect(page.cursor).toBe(100)
  })

  it("treats a page without data or videos as empty, and without has_more as the last", () => {
    expect(decodeVideoQueryResponseSync({ data: { cursor: 100, has_more: true }, error: { code: "ok" } })).toMatchObject({
      records: [],
      cursor: 100,
      hasMore: true
    })
    expect(decodeVideoQueryResponseSync({ data: {}, error: { code: "ok" } })).toMatchObject({ records: [], cursor: null, hasMore: false })
  })

  it("names the path of a wrong type", () => {
    const videos = Array.from({ length: 5 }, (_, i) => ({ id: `${i + 1}`, create_time: 1 }))
    const wrong = (patch: object, at = 3) => ({
      data: { videos: videos.map((video, i) => (i === at ? { ...video, ...patch } : video)) },
      error: { code: "ok" }
    })
    expect(decodeError(wrong({ create_time: "yesterday" }))).toMatchObject({
      endpoint: "/v2/research/video/query/",
      path: "data.videos[3].create_time",
      message: 'data.videos[3].create_time: expected an integer in ±(2^53 - 1), got "yesterday" (id 4)'
    })
    expect(decodeError(wrong({ create_time: [] })).message).toBe("data.videos[3].create_time: expected number, got [] (id 4)")
    expect(decodeError(wrong({ hashtag_names: ["a", 7] })).message).toBe("data.videos[3].hashtag_names[1]: expected string, got 7 (id 4)")
    expect(decodeError(wrong({ id: "12ab" })).message).toBe('data.videos[3].id: expected a decimal id, got "12ab"')
    expect(decodeError(wrong({ id: 1.5 })).path).toBe("data.videos[3].id")
    expect(decodeError(wrong({ is_stem_verified: "yes" })).message).toBe('data.videos[3].is_stem_verified: expected boolean, got "yes" (id 4)')
    expect(decodeError({ data: { videos: [{ id: "1" }, { create_time: 5 }] } }).message).toBe(
      "data.videos[1].id: expected id or video_id"
    )
    expect(decodeError({ data: { videos: {} } }).message).toBe("data.videos: expected array, got {}")
    expect(decodeError({ data: { videos: [], has_more: "yes" } }).path).toBe("data.has_more")
    expect(decodeError({ data: [], error: { code: "ok" } }).path).toBe("data")
    expect(decodeError({ data: {}, error: { message: "no code" } }).message).toBe("error.code: missing key")
    expect(decodeError("<html>").message).toMatch(/^expected object/)
  })

  it("reports even an unexpected failure as a DecodeError of the endpoint", async () => {
    // JSON text of a value holding a bigint cannot be written: not possible from a parsed body.
    const failed = await Effect.runPromise(
      Effect.flip(decodeVideoQueryResponse({ data: { videos: [{ id: "1", video_label: { n: 1n } }] } }))
    )
    expect(failed).toBeInstanceOf(DecodeError)
    expect(failed.endpoint).toBe("/v2/research/video/query/")
  })

  it("returns an Effect failing with the DecodeError, and succeeding with the page", async () => {
    const exit = await Effect.runPromiseExit(decodeVideoQueryResponse({ data: 1 }, "/custom/"))
    expect(Exit.isFailure(exit)).toBe(true)
    const failed = await Effect.runPromise(Effect.flip(decodeVideoQueryResponse({ data: 1 }, "/custom/")))
    expect(failed).toMatchObject({ _tag: "DecodeError", endpoint: "/custom/", path: "data" })
    const page = await Effect.runPromise(decodeVideoQueryResponse(fixture("recorded/video_query_page.json")))
    expect(page.records).toHaveLength(27)
  })
})
