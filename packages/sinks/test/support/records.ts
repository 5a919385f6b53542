import type { Comment, RecordKind, SocialUser, UserInfo, UserVideo, Video } from "@tikflow/core/internal"
import fc from "fast-check"

// Generators for the record kinds with the awkward values real harvests contain: nulls everywhere
// they are allowed, any unicode (NUL included), empty lists, counts beyond 2^32, ids near 2^64.

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", "\u0000", "a\u0000b", "日本語", "🎉🇫🇷", "\"quoted\",comma\nline")
)
const nullable = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: null, freq: 3 })
const count = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }))
const id = fc.oneof(
  fc.bigInt({ min: 2n ** 63n, max: 2n ** 64n - 1n }).map(String),
  fc.bigInt({ min: 1n, max: 2n ** 53n }).map(String)
)
const time = fc.integer({ min: 1_600_000_000, max: 1_800_000_000 })
const list = fc.array(text, { maxLength: 4 })

const videoFields = {
  id,
  create_time: nullable(time),
  username: nullable(text),
  region_code: nullable(fc.constantFrom("US", "FR", "JP")),
  video_description: nullable(text),
  music_id: nullable(id),
  like_count: nullable(count),
  comment_count: nullable(count),
  share_count: nullable(count),
  view_count: nullable(count),
  favorites_count: nullable(count),
  hashtag_names: nullable(list),
  effect_ids: nullable(list),
  playlist_id: nullable(id),
  voice_to_text: nullable(text),
  is_stem_verified: nullable(fc.boolean()),
  video_duration: nullable(fc.oneof(fc.integer({ min: 0, max: 600 }), fc.double({ min: 0, max: 600, noNaN: true }))),
  video_mention_list: nullable(list),
  video_label: nullable(fc.constant("{\"content\":\"x\"}")),
  video_tag: nullable(text),
  hashtag_info_list: nullable(text),
  sticker_info_list: nullable(text),
  effect_info_list: nullable(text)
}

export const videoArb: fc.Arbitrary<Video> = fc.record(videoFields)
export const userVideoArb: fc.Arbitrary<UserVideo> = fc.record({
  ...videoFields,
  of_username: text,
  list: fc.constantFrom("liked" as const, "pinned" as const, "reposted" as const)
})
export const userInfoArb: fc.Arbitrary<UserInfo> = fc.record({
  username: text,
  display_name: nullable(text),
  bio_description: nullable(text),
  bio_url: nullable(text),
  avatar_url: nullable(text),
  is_verified: nullable(fc.boolean()),
  follower_count: nullable(count),
  following_count: nullable(count),
  likes_count: nullable(count),
  video_count: nullable(count),
  lookup_error: nullable(text)
})
export const commentArb: fc.Arbitrary<Comment> = fc.record({
  id,
  video_id: id,
  text: nullable(text),
  like_count: nullable(count),
  reply_count: nullable(count),
  parent_comment_id: nullable(id),
  create_time: nullable(time)
})
export const socialUserArb: fc.Arbitrary<SocialUser> = fc.record({
  username: text,
  display_name: nullable(text),
  of_username: text,
  relation: fc.constantFrom("follower" as const, "following" as const)
})

export const recordArbs = {
  video: videoArb,
  user_video: userVideoArb,
  user_info: userInfoArb,
  comment: commentArb,
  social_user: socialUserArb
} as const satisfies { [K in RecordKind]: fc.Arbitrary<unknown> }

/** Records of one kind with unique primary keys (duplicates would make counts ambiguous). */
export const uniqueRecords = <K extends RecordKind>(kind: K, keyOf: (r: never) => string, maxLength = 40) =>
  fc.uniqueArray(recordArbs[kind] as fc.Arbitrary<unknown>, {
    maxLength,
    selector: (r) => keyOf(r as never)
  })

/** A plain deterministic video for volume tests. */
export const sampleVideo = (i: number): Video => ({
  id: String(7_000_000_000_000_000_000n + BigInt(i)),
  create_time: 1_700_000_000 + (i % 30) * 86_400,
  username: `user_${i % 1000}`,
  region_code: "US",
  video_description: `video number ${i} #tag`,
  music_id: String(6_000_000_000_000_000_000n + BigInt(i % 100)),
  like_count: i * 3,
  comment_count: i % 17,
  share_count: null,
  view_count: 2 ** 33 + i,
  favorites_count: i % 5,
  hashtag_names: i % 3 === 0 ? [] : ["tag", `t${i % 7}`],
  effect_ids: null,
  playlist_id: null,
  voice_to_text: null,
  is_stem_verified: i % 2 === 0,
  video_duration: 15,
  video_mention_list: ["@a"],
  video_label: null,
  video_tag: null,
  hashtag_info_list: null,
  sticker_info_list: null,
  effect_info_list: null
})
