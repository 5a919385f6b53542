import { Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DecodeError, isTransient } from "../../src/errors/api-errors.js"
import { CommentFromWire, fastComment } from "../../src/schema/comment.js"
import { SocialUserFromWire, fastSocialUser } from "../../src/schema/social-user.js"
import { makeFastDecoder } from "../../src/schema/fast-fields.js"
import { VideoFromWire, fastVideo } from "../../src/schema/video.js"
import { decodeVideoQueryResponseSync, VideoQueryResponse } from "../../src/schema/video-query.js"
import { parseLosslessJson } from "../../src/json/lossless-json.js"

// Values of every shape a field may meet: right ones, alternative ones the schema converts, wrong ones.
// Mostly right values, sometimes wrong ones, so both outcomes are well covered.
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 })
const idValue = mostly(
  fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String), fc.integer({ min: 0 }), fc.constant(null)),
  fc.constantFrom("abc", "", 1.5, -3, true, [], Number.MAX_SAFE_INTEGER + 2)
)
// Counts are integers a number holds exactly; fractions and values beyond ±(2^53 - 1) are refused
// (they would be truncated or wrapped in int64 columns), as numbers and as numeric strings.
const countValue = mostly(
  fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom("12", "-3", null)),
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom("x", "", true, {}, Infinity, "1.5", 1.5, 1e20, 2 ** 63, "9223372036854775808"))
)
const stringValue = mostly(fc.oneof(fc.string(), fc.constant(null)), fc.constantFrom(1, false))
const stringsValue = mostly(fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.constant(null)), fc.constantFrom([1], "x"))
const idsValue = mostly(fc.oneof(fc.array(idValue, { maxLength: 3 }), fc.constant(null)), fc.constantFrom("1"))
const jsonValue = fc.oneof(fc.jsonValue(), fc.constant(null))
const booleanValue = mostly(fc.oneof(fc.boolean(), fc.constant(null)), fc.constantFrom("true", 1))

const wireVideo = fc.record(
  {
    id: idValue, video_id: idValue, create_time: countValue, username: stringValue, region_code: stringValue,
    video_description: stringValue, music_id: idValue, like_count: countValue, comment_count: countValue,
    share_count: countValue, view_count: countValue, favorites_count: countValue, hashtag_names: stringsValue,
    effect_ids: idsValue, playlist_id: idValue, voice_to_text: stringValue, is_stem_verified: booleanValue,
    video_duration: fc.oneof(countValue, fc.double()), video_mention_list: stringsValue, video_label: jsonValue, video_tag: jsonValue,
    hashtag_info_list: jsonValue, sticker_info_list: jsonValue, effect_info_list: jsonValue, unknown_extra: fc.anything()
  },
  { requiredKeys: [] }
)
const wireComment = fc.record(
  { id: idValue, video_id: idValue, text: stringValue, like_count: countValue, reply_count: countValue, parent_comment_id: idValue, create_time: countValue },
  { requiredKeys: [] }
)
const wireSocialUser = fc.record({ username: stringValue, display_name: stringValue }, { requiredKeys: [] })

/** The fast path never accepts what the schema refuses, and when it accepts, it agrees. */
const agrees = <A>(schema: Schema.Decoder<A>, fast: (raw: unknown) => A | undefined) => (raw: unknown) => {
  const slow = Schema.decodeUnknownResult(schema)(raw)
  const quick = fast(raw)
  if (quick !== undefined) {
    expect(slow._tag).toBe("Success")
    if (slow._tag === "Success") expect(quick).toEqual(slow.success)
  }
  return slow._tag === "Success"
}

describe("the fast decoding path", () => {
  it("agrees with the video schema", () => {
    let accepted = 0
    let refused = 0
    fc.assert(
      fc.property(wireVideo, (raw) => {
        if (agrees(VideoFromWire, fastVideo)(raw)) accepted++
        else refused++
      }),
      { numRuns: 1000 }
    )
    expect(accepted).toBeGreaterThan(50)
    expect(refused).toBeGreaterThan(50)
  })

  it("handles the common shapes itself (ids as strings or safe integers, integer counts)", () => {
    const common = fc.record(
      {
        id: fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
        create_time: fc.integer(),
        hashtag_names: fc.array(fc.string()),
        music_id: fc.integer({ min: 0 }),
        video_label: fc.jsonValue()
      },
      { requiredKeys: ["id"] }
    )
    fc.assert(fc.property(common, (raw) => void expect(fastVideo(raw)).toBeDefined()))
  })

  it("takes exactly the string ids the schema takes (an optional minus, then ASCII digits)", () => {
    const idText = fc.string({ unit: fc.constantFrom("0", "7", "9", "-", "+", " ", "a", "\n", "٣", "1"), maxLength: 6 })
    fc.assert(
      fc.property(idText, idText, (id, effectId) => {
        const raw = { id, effect_ids: [effectId] }
        const quick = fastVideo(raw)
        expect(quick !== undefined).toBe(/^-?\d+$/.test(id) && /^-?\d+$/.test(effectId))
        agrees(VideoFromWire, fastVideo)(raw)
      }),
      { numRuns: 2000 }
    )
  })

  it("agrees with the comment and social user schemas", () => {
    fc.assert(fc.property(wireComment, (raw) => void agrees(CommentFromWire, fastComment)(raw)), { numRuns: 500 })
    fc.assert(fc.property(wireSocialUser, (raw) => void agrees(SocialUserFromWire, fastSocialUser)(raw)), { numRuns: 300 })
  })

  it("a page decodes exactly when the response schema accepts it", () => {
    const page = fc.record(
      {
        data: fc.oneof(
          fc.record(
            {
              videos: fc.oneof(fc.array(wireVideo, { maxLength: 3 }), fc.constantFrom(null, {})),
              cursor: countValue,
              has_more: booleanValue,
              search_id: fc.oneof(fc.string(), fc.integer(), fc.constantFrom(null, []))
            },
            { requiredKeys: [] }
          ),
          fc.constantFrom(null, 5)
        ),
        error: fc.oneof(
          fc.record({ code: fc.oneof(fc.constant("ok"), fc.constant(3)), message: stringValue, msg: stringValue, log_id: stringValue }, { requiredKeys: [] }),
          fc.constant(null)
        )
      },
      { requiredKeys: [] }
    )
    fc.assert(
      fc.property(page, (body) => {
        const accepted = Schema.decodeUnknownResult(VideoQueryResponse)(body)._tag === "Success"
        let decoded = true
        try {
          decodeVideoQueryResponseSync(body)
        } catch {
          decoded = false
        }
        expect(decoded).toBe(accepted)
      }),
      { numRuns: 500 }
    )
  })
})

// A video page as the API's text: ids as bare integers (past 2^53 too), strings with \\u escapes,
// fields in any order, nulls and unknown fields among them.
const escaped = (text: string, every: boolean) =>
  JSON.stringify(text).replace(/[^\x20-\x7e]|[a-z]/g, (char) =>
    every || char > "\x7e" ? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}` : char)
const wireText = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom("", "é", "😀 #x", "a\"b\\c\n"))
const bareId = fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String)
const fieldText: fc.Arbitrary<readonly [string, string]> = fc.oneof(
  fc.tuple(fc.constantFrom("id", "music_id", "playlist_id", "video_id"), fc.oneof(bareId, fc.constant("null"), bareId.map((id) => `"${id}"`))),
  fc.tuple(fc.constantFrom("create_time", "like_count", "view_count", "video_duration"), fc.oneof(fc.integer().map(String), fc.constant("null"))),
  fc.tuple(fc.constantFrom("username", "video_description", "voice_to_text", "region_code"), fc.tuple(wireText, fc.boolean()).map(([t, e]) => escaped(t, e))),
  fc.tuple(fc.constant("hashtag_names"), fc.array(wireText, { maxLength: 3 }).map((list) => `[${list.map((t) => escaped(t, false)).join(",")}]`)),
  fc.tuple(fc.constant("effect_ids"), fc.array(fc.oneof(bareId, bareId.map((id) => `"${id}"`)), { maxLength: 3 }).map((ids) => `[${ids.join(",")}]`)),
  fc.tuple(fc.constantFrom("effect_info_list", "video_label"), fc.jsonValue().map((v) => JSON.stringify(v))),
  fc.tuple(fc.constant("is_stem_verified"), fc.constantFrom("true", "false", "null")),
  fc.tuple(fc.constantFrom("unknown_extra", "zz", "\\u0069d_x"), fc.jsonValue().map((v) => JSON.stringify(v)))
)
const videoText = fc.uniqueArray(fieldText, { selector: ([key]) => key, maxLength: 12 })
  .map((fields) => `{${fields.map(([key, value]) => `"${key}":${value}`).join(",")}}`)
const pageText = fc.array(videoText, { maxLength: 4 })
  .map((videos) => `{"data":{"videos":[${videos.join(",")}],"cursor":100,"has_more":true,"search_id":"7320757167986279571"},"error":{"code":"ok","message":"","log_id":"x"}}`)

describe("a video page from the API's text", () => {
  it("decodes to the records the schema makes of it (big ids exact, escapes, nulls, unknown fields)", () => {
    let decoded = 0
    let fast = 0
    fc.assert(
      fc.property(pageText, (text) => {
        const body = parseLosslessJson(text) as { data: { videos: Array<unknown> } }
        // Each video the fast path takes, it decodes as the schema does (it does not fall back).
        for (const video of body.data.videos) {
          agrees(VideoFromWire, fastVideo)(video)
          if (fastVideo(video) !== undefined) fast++
        }
        const slow = Schema.decodeUnknownResult(VideoQueryResponse)(body)
        let quick: ReturnType<typeof decodeVideoQueryResponseSync> | undefined
        try {
          quick = decodeVideoQueryResponseSync(body)
        } catch {
          quick = undefined
        }
        expect(quick !== undefined).toBe(slow._tag === "Success")
        if (quick === undefined || slow._tag !== "Success") return
        decoded++
        expect(quick.records).toEqual((slow.success.data as { videos?: unknown } | null)?.videos ?? [])
      }),
      { numRuns: 500 }
    )
    expect(decoded).toBeGreaterThan(100)
    expect(fast).toBeGreaterThan(50)
  })
})

describe("a generated fast decoder", () => {
  const decode = makeFastDecoder({ id: "id", alt_id: "id", n: "count" } as const, { fallbacks: { alt_id: "id" }, required: ["id"] })

  it("builds the record straight from the wire: a stand-in field fills its target and is not kept", () => {
    expect(decode({ alt_id: 7, n: 2 })).toEqual({ id: "7", n: 2 })
    expect(decode({ id: "1", alt_id: "2" })).toEqual({ id: "1", n: null })
    expect(Object.keys(decode({ n: 1, id: "3", extra: true }) ?? {})).toEqual(["id", "n"])
  })

  it("gives up on a missing required field and on a stand-in of the wrong shape, even when unused", () => {
    expect(decode({ n: 1 })).toBeUndefined()
    expect(decode({ id: "1", alt_id: "x" })).toBeUndefined()
  })

  it("reads only the wire object's own fields", () => {
    const raw = Object.create({ n: 5 }) as Record<string, unknown>
    raw.id = "1"
    expect(decode(raw)).toEqual({ id: "1", n: null })
  })
})

describe("counts a record cannot hold", () => {
  const page = (likeCount: unknown) => ({
    data: {
      videos: [{ id: "7320000000000000001", like_count: 3 }, { id: "7320000000000000002", like_count: likeCount }],
      cursor: 2,
      has_more: false,
      search_id: "s"
    },
    error: { code: "ok", message: "" }
  })
  const refusal = (body: unknown): unknown => {
    try {
      decodeVideoQueryResponseSync(body)
    } catch (error) {
      return error
    }
    return undefined
  }

  it.each([
    [1e20, "100000000000000000000"],
    [2 ** 63, "9223372036854776000"], // a JS number already rounded; from JSON text 2^63 arrives as the next case
    ["9223372036854775808", "9223372036854775808"],
    [1.5, "1.5"],
    ["1.5", "1.5"],
    [-(2 ** 60), String(-(2 ** 60))]
  ])("%s: a deterministic DecodeError naming the field, the value and the record, on both paths", (value, shown) => {
    // The fast path hands the value to the schema, which refuses it: neither stores it.
    expect(fastVideo({ id: "1", like_count: value })).toBeUndefined()
    expect(Schema.decodeUnknownResult(VideoFromWire)({ id: "1", like_count: value })._tag).toBe("Failure")
    expect(refusal(page(value))).toMatchObject({
      _tag: "DecodeError",
      deterministic: true,
      path: "data.videos[1].like_count",
      message: `data.videos[1].like_count: expected an integer in ±(2^53 - 1), got ${shown} (id 7320000000000000002)`
    })
  })

  it("the largest safe integers, as numbers or strings, are counts", () => {
    for (const value of [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, String(Number.MAX_SAFE_INTEGER), 0]) {
      expect(decodeVideoQueryResponseSync(page(value)).records[1].like_count).toBe(Number(value))
    }
  })

  it("a body that is not JSON stays a retryable DecodeError", () => {
    expect(new DecodeError({ endpoint: "x", path: "", message: "malformed JSON" }).deterministic).toBeUndefined()
    expect(isTransient(new DecodeError({ endpoint: "x", path: "", message: "malformed JSON" }))).toBe(true)
    expect(isTransient(refusal(page(1e20)) as DecodeError)).toBe(false)
  })
})
