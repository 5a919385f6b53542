import type { SyntheticVideo } from "../world/video.js"

/** Every field the video endpoints can return (the spec's plus the real API's extras). */
export const videoFieldNames = [
  "id", "create_time", "username", "region_code", "video_description", "music_id", "like_count",
  "comment_count", "share_count", "view_count", "favorites_count", "hashtag_names", "effect_ids", "playlist_id",
  "voice_to_text", "is_stem_verified", "video_duration", "video_mention_list", "video_label", "video_tag",
  "hashtag_info_list", "sticker_info_list", "effect_info_list"
] as const

export type VideoFieldName = (typeof videoFieldNames)[number]

/** A video in API shape: ids as decimal strings, fields the API omits (zero, empty) absent. */
export type ApiVideo = { readonly [K in VideoFieldName]?: unknown } & { readonly id: string }

/** Zero counts are dropped by the real API on some videos and kept on others; decide per video. */
const dropsZeros = (video: SyntheticVideo): boolean => (video.index & 1) === 1

const count = (target: Record<string, unknown>, key: string, value: number, drop: boolean): void => {
  if (value !== 0 || !drop) target[key] = value
}

/** The video as the API returns it for `fields` (in that key order). */
export const apiVideo = (video: SyntheticVideo, fields: ReadonlyArray<VideoFieldName>): ApiVideo => {
  const out: Record<string, unknown> = {}
  const drop = dropsZeros(video)
  for (const field of fields) {
    switch (field) {
      case "id": out.id = video.id; break
      case "create_time": out.create_time = video.createTime; break
      case "username": out.username = video.username; break
      case "region_code": out.region_code = video.regionCode; break
      case "video_description": if (video.description !== "") out.video_description = video.description; break
      case "music_id": out.music_id = video.musicId; break
      case "like_count": count(out, field, video.likeCount, true); break
      case "comment_count": count(out, field, video.commentCount, drop); break
      case "share_count": count(out, field, video.shareCount, drop); break
      case "view_count": count(out, field, video.viewCount, drop); break
      case "favorites_count": count(out, field, video.favoritesCount, true); break
      case "hashtag_names": out.hashtag_names = video.hashtags; break
      case "effect_ids": if (video.effectIds.length > 0) out.effect_ids = video.effectIds; break
      case "playlist_id": if (video.playlistId !== null) out.playlist_id = video.playlistId; break
      case "voice_to_text": if (video.voiceToText !== null) out.voice_to_text = video.voiceToText; break
      case "is_stem_verified": if (video.isStemVerified !== null) out.is_stem_verified = video.isStemVerified; break
      case "video_duration": out.video_duration = video.duration; break
      case "video_mention_list": if (video.mentions.length > 0) out.video_mention_list = video.mentions; break
      case "video_label": if (video.label !== null) out.video_label = { content: video.label }; break
      case "video_tag": if (video.tag !== null) out.video_tag = video.tag; break
      case "hashtag_info_list":
        if (video.hashtagInfo !== null) {
          out.hashtag_info_list = video.hashtagInfo.map((h) => ({ hashtag_id: h.id, hashtag_name: h.name, hashtag_description: "" }))
        }
        break
      case "sticker_info_list":
        if (video.stickers !== null) out.sticker_info_list = video.stickers.map((s) => ({ sticker_id: s.id, sticker_name: s.name }))
        break
      case "effect_info_list":
        if (video.effectInfo !== null) out.effect_info_list = video.effectInfo.map((e) => ({ effect_id: e.id, effect_name: e.name }))
        break
    }
  }
  return out as ApiVideo
}
