/**
 * A research video as tikflow delivers it: every known field present, `null` where the API
 * omitted it (it sends zeros and empties, so null means withheld or unknown, never 0). Ids are decimal strings (they exceed 2^53).
 * Nested structures the API returns as objects/arrays of objects are kept as JSON text so every
 * sink can store them in a flat column.
 */
export interface Video {
  readonly id: string
  readonly create_time: number | null
  readonly username: string | null
  readonly region_code: string | null
  readonly video_description: string | null
  readonly music_id: string | null
  readonly like_count: number | null
  readonly comment_count: number | null
  readonly share_count: number | null
  readonly view_count: number | null
  readonly favorites_count: number | null
  readonly hashtag_names: ReadonlyArray<string> | null
  readonly effect_ids: ReadonlyArray<string> | null
  readonly playlist_id: string | null
  readonly voice_to_text: string | null
  readonly is_stem_verified: boolean | null
  /** Seconds; may have a fraction. */
  readonly video_duration: number | null
  readonly video_mention_list: ReadonlyArray<string> | null
  /** JSON text of the API's `video_label` value. */
  readonly video_label: string | null
  /** JSON text of the API's `video_tag` value. */
  readonly video_tag: string | null
  /** JSON text of the API's `hashtag_info_list` value. */
  readonly hashtag_info_list: string | null
  /** JSON text of the API's `sticker_info_list` value. */
  readonly sticker_info_list: string | null
  /** JSON text of the API's `effect_info_list` value. */
  readonly effect_info_list: string | null
}

/** Every field name of {@link Video}, in column order. */
export const videoFields = [
  "id", "create_time", "username", "region_code", "video_description", "music_id",
  "like_count", "comment_count", "share_count", "view_count", "favorites_count",
  "hashtag_names", "effect_ids", "playlist_id", "voice_to_text", "is_stem_verified",
  "video_duration", "video_mention_list", "video_label", "video_tag", "hashtag_info_list",
  "sticker_info_list", "effect_info_list"
] as const satisfies ReadonlyArray<keyof Video>

/** A video from one user's liked, pinned or reposted list: the edge is the record. */
export interface UserVideo extends Video {
  readonly of_username: string
  readonly list: "liked" | "pinned" | "reposted"
}
