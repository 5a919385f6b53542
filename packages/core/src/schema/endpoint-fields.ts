import { ConfigError } from "../errors/config-error.js"
import { commentFields } from "../records/comment.js"
import { videoFields } from "../records/video.js"
import type { ResearchEndpoint } from "./research-endpoints.js"

/**
 * The names each endpoint accepts in its `fields` query parameter. Video fields include the real
 * API's extras beyond the spec (effect_ids, playlist_id, voice_to_text, …); user info includes
 * `bio_url`.
 */
export const videoApiFields = videoFields
export const userInfoApiFields = [
  "display_name", "bio_description", "bio_url", "avatar_url", "is_verified", "follower_count",
  "following_count", "likes_count", "video_count"
] as const
export const commentApiFields = commentFields
export const socialUserApiFields = ["display_name", "username"] as const

export type ResearchDataEndpoint = Exclude<ResearchEndpoint, "token">

export const endpointFields: { readonly [E in ResearchDataEndpoint]: ReadonlyArray<string> } = {
  videoQuery: videoApiFields,
  userInfo: userInfoApiFields,
  commentList: commentApiFields,
  followers: socialUserApiFields,
  following: socialUserApiFields,
  likedVideos: videoApiFields,
  pinnedVideos: videoApiFields,
  repostedVideos: videoApiFields
}

/**
 * The `fields` parameter for `endpoint` (all its fields when `fields` is omitted), refusing
 * unknown names with a `ConfigError` naming the first.
 */
export const fieldsParameter = (endpoint: ResearchDataEndpoint, fields?: ReadonlyArray<string>): string => {
  const allowed = endpointFields[endpoint]
  if (fields === undefined) return allowed.join(",")
  if (fields.length === 0) throw ConfigError.make("fields", `at least one of ${allowed.join(", ")}`)
  for (const field of fields) {
    if (!allowed.includes(field)) throw ConfigError.make("fields", `one of ${allowed.join(", ")}`, field)
  }
  return fields.join(",")
}
