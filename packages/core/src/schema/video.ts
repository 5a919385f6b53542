import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import type { Video } from "../records/video.js"
import { makeFastDecoder } from "./fast-fields.js"
import type { RecordOfTable } from "./fast-fields.js"
import { assertTrue } from "./type-equality.js"
import type { Equals } from "./type-equality.js"
import { WireCount, DecimalId, WireJsonText, WireNumber, optionalOrNull } from "./wire-values.js"

/**
 * A video as the API sends it: every field optional (a creator can hide a count), the id under
 * `id` (live responses) or `video_id` (TikTok's documentation examples), extra fields ignored.
 */
export const WireVideo = Schema.Struct({
  id: optionalOrNull(DecimalId),
  video_id: optionalOrNull(DecimalId),
  create_time: optionalOrNull(WireCount),
  username: optionalOrNull(Schema.String),
  region_code: optionalOrNull(Schema.String),
  video_description: optionalOrNull(Schema.String),
  music_id: optionalOrNull(DecimalId),
  like_count: optionalOrNull(WireCount),
  comment_count: optionalOrNull(WireCount),
  share_count: optionalOrNull(WireCount),
  view_count: optionalOrNull(WireCount),
  favorites_count: optionalOrNull(WireCount),
  hashtag_names: optionalOrNull(Schema.Array(Schema.String)),
  effect_ids: optionalOrNull(Schema.Array(DecimalId)),
  playlist_id: optionalOrNull(DecimalId),
  voice_to_text: optionalOrNull(Schema.String),
  is_stem_verified: optionalOrNull(Schema.Boolean),
  video_duration: optionalOrNull(WireNumber),
  video_mention_list: optionalOrNull(Schema.Array(Schema.String)),
  video_label: optionalOrNull(WireJsonText),
  video_tag: optionalOrNull(WireJsonText),
  hashtag_info_list: optionalOrNull(WireJsonText),
  sticker_info_list: optionalOrNull(WireJsonText),
  effect_info_list: optionalOrNull(WireJsonText)
}).check(
  Schema.makeFilter((video) =>
    video.id !== null || video.video_id !== null ? true : { path: ["id"], issue: "expected id or video_id" }
  )
)

/** The same fields for the fast path (see fast-fields.ts). */
const wireVideoTable = {
  id: "id", video_id: "id", create_time: "count", username: "string", region_code: "string",
  video_description: "string", music_id: "id", like_count: "count", comment_count: "count",
  share_count: "count", view_count: "count", favorites_count: "count", hashtag_names: "strings",
  effect_ids: "ids", playlist_id: "id", voice_to_text: "string", is_stem_verified: "boolean",
  video_duration: "number", video_mention_list: "strings", video_label: "json", video_tag: "json",
  hashtag_info_list: "json", sticker_info_list: "json", effect_info_list: "json"
} as const

type WireVideoType = typeof WireVideo.Type
assertTrue<Equals<RecordOfTable<typeof wireVideoTable>, WireVideoType>>()

const nullable = <S extends Schema.Top>(schema: S) => Schema.NullOr(schema)

/** The decoded record: exactly {@link Video}. */
export const VideoRecord = Schema.Struct({
  id: Schema.String,
  create_time: nullable(Schema.Number),
  username: nullable(Schema.String),
  region_code: nullable(Schema.String),
  video_description: nullable(Schema.String),
  music_id: nullable(Schema.String),
  like_count: nullable(Schema.Number),
  comment_count: nullable(Schema.Number),
  share_count: nullable(Schema.Number),
  view_count: nullable(Schema.Number),
  favorites_count: nullable(Schema.Number),
  hashtag_names: nullable(Schema.Array(Schema.String)),
  effect_ids: nullable(Schema.Array(Schema.String)),
  playlist_id: nullable(Schema.String),
  voice_to_text: nullable(Schema.String),
  is_stem_verified: nullable(Schema.Boolean),
  video_duration: nullable(Schema.Number),
  video_mention_list: nullable(Schema.Array(Schema.String)),
  video_label: nullable(Schema.String),
  video_tag: nullable(Schema.String),
  hashtag_info_list: nullable(Schema.String),
  sticker_info_list: nullable(Schema.String),
  effect_info_list: nullable(Schema.String)
})
assertTrue<Equals<typeof VideoRecord.Type, Video>>()

// The schema path's record (the fast path builds the same one in its generated decoder).
const toVideo = (wire: WireVideoType): Video => ({
  id: (wire.id ?? wire.video_id) as string,
  create_time: wire.create_time,
  username: wire.username,
  region_code: wire.region_code,
  video_description: wire.video_description,
  music_id: wire.music_id,
  like_count: wire.like_count,
  comment_count: wire.comment_count,
  share_count: wire.share_count,
  view_count: wire.view_count,
  favorites_count: wire.favorites_count,
  hashtag_names: wire.hashtag_names,
  effect_ids: wire.effect_ids,
  playlist_id: wire.playlist_id,
  voice_to_text: wire.voice_to_text,
  is_stem_verified: wire.is_stem_verified,
  video_duration: wire.video_duration,
  video_mention_list: wire.video_mention_list,
  video_label: wire.video_label,
  video_tag: wire.video_tag,
  hashtag_info_list: wire.hashtag_info_list,
  sticker_info_list: wire.sticker_info_list,
  effect_info_list: wire.effect_info_list
})

/** Wire video → {@link Video}. */
export const VideoFromWire = WireVideo.pipe(
  Schema.decodeTo(VideoRecord, {
    decode: SchemaGetter.transform(toVideo),
    encode: SchemaGetter.transform((video: Video): WireVideoType => ({ ...video, video_id: null }))
  })
)
assertTrue<Equals<typeof VideoFromWire.Type, Video>>()

// Straight from the wire into the record: `video_id` stands in for an absent `id`, and a video
// with neither goes to the schema, which names it.
const fastVideoRecord = makeFastDecoder(wireVideoTable, { fallbacks: { video_id: "id" }, required: ["id"] })
assertTrue<Equals<Omit<NonNullable<ReturnType<typeof fastVideoRecord>>, "id">, Omit<Video, "id">>>()

/** The fast path of {@link VideoFromWire}: the video, or `undefined` to defer to the schema. */
export const fastVideo = fastVideoRecord as (raw: unknown) => Video | undefined
