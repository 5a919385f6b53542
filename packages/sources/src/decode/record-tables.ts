import type { FieldTable } from "./field-decoders.js"

/** How each field of a record kind is read from the API (see the core record types). */
export const videoTable = {
  id: "id", create_time: "number", username: "string", region_code: "string", video_description: "string",
  music_id: "id", like_count: "number", comment_count: "number", share_count: "number", view_count: "number",
  favorites_count: "number", hashtag_names: "strings", effect_ids: "strings", playlist_id: "id",
  voice_to_text: "string", is_stem_verified: "boolean", video_duration: "number", video_mention_list: "strings",
  video_label: "json", video_tag: "json", hashtag_info_list: "json", sticker_info_list: "json", effect_info_list: "json"
} as const satisfies FieldTable

/** Documentation examples say `video_id` where live responses say `id`. */
export const videoAliases = { id: "video_id" }

export const commentTable = {
  id: "id", video_id: "id", text: "string", like_count: "number", reply_count: "number",
  parent_comment_id: "id", create_time: "number"
} as const satisfies FieldTable

export const userInfoTable = {
  display_name: "string", bio_description: "string", bio_url: "string", avatar_url: "string",
  is_verified: "boolean", follower_count: "number", following_count: "number", likes_count: "number",
  video_count: "number"
} as const satisfies FieldTable

export const socialUserTable = { username: "string", display_name: "string" } as const satisfies FieldTable
