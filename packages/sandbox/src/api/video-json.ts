import type { SyntheticVideo } from "../world/video.js"
import { jsonText } from "./json-text.js"
import type { VideoFieldName } from "./video-fields.js"
import { apiVideo } from "./video-fields.js"

const nested = (video: SyntheticVideo, field: VideoFieldName, bareIds: boolean): string | undefined => {
  const value = (apiVideo(video, [field]) as Record<string, unknown>)[field]
  return value === undefined ? undefined : `"${field}":` + jsonText(value, bareIds)
}

/**
 * The JSON text of `apiVideo(video, fields)`, written directly: the serving hot path. Must stay
 * member-for-member equal to `apiVideo` (a property test checks it); rare nested fields reuse it.
 */
export const videoJson = (video: SyntheticVideo, fields: ReadonlyArray<VideoFieldName>, bareIds: boolean): string => {
  let out = "{"
  const dropZeros = (video.index & 1) === 1
  for (let k = 0; k < fields.length; k++) {
    const field = fields[k]
    let piece: string | undefined
    switch (field) {
      case "id": piece = bareIds ? '"id":' + video.id : '"id":"' + video.id + '"'; break
      case "create_time": piece = '"create_time":' + video.createTime; break
      case "username": piece = '"username":"' + video.username + '"'; break
      case "region_code": piece = '"region_code":"' + video.regionCode + '"'; break
      case "video_description":
        if (video.description !== "") piece = '"video_description":' + video.descriptionJson
        break
      case "music_id": piece = bareIds ? '"music_id":' + video.musicId : '"music_id":"' + video.musicId + '"'; break
      case "like_count": if (video.likeCount !== 0) piece = '"like_count":' + video.likeCount; break
      case "comment_count": if (video.commentCount !== 0 || !dropZeros) piece = '"comment_count":' + video.commentCount; break
      case "share_count": if (video.shareCount !== 0 || !dropZeros) piece = '"share_count":' + video.shareCount; break
      case "view_count": if (video.viewCount !== 0 || !dropZeros) piece = '"view_count":' + video.viewCount; break
      case "favorites_count": if (video.favoritesCount !== 0) piece = '"favorites_count":' + video.favoritesCount; break
      case "hashtag_names": piece = '"hashtag_names":' + video.hashtagsJson; break
      case "effect_ids": if (video.effectIds.length > 0) piece = '"effect_ids":' + JSON.stringify(video.effectIds); break
      case "playlist_id":
        if (video.playlistId !== null) piece = bareIds ? '"playlist_id":' + video.playlistId : '"playlist_id":"' + video.playlistId + '"'
        break
      case "voice_to_text": if (video.voiceToText !== null) piece = '"voice_to_text":' + JSON.stringify(video.voiceToText); break
      case "is_stem_verified": if (video.isStemVerified !== null) piece = '"is_stem_verified":' + video.isStemVerified; break
      case "video_duration": piece = '"video_duration":' + video.duration; break
      default: piece = nested(video, field, bareIds)
    }
    if (piece !== undefined) out += out.length === 1 ? piece : "," + piece
  }
  return out + "}"
}
