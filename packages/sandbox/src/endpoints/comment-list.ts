import { parseFields } from "../api/fields.js"
import { InvalidParams } from "../api/invalid-params.js"
import { jsonText } from "../api/json-text.js"
import { integerIn, requiredId } from "../api/request-values.js"
import type { Endpoint } from "../server/endpoint.js"
import type { ApiComment } from "../world/comment-table.js"
import { REACHABLE_COMMENTS } from "../world/comment-table.js"

export const commentFieldNames = ["id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time"] as const
export type CommentFieldName = (typeof commentFieldNames)[number]

const select = (comment: ApiComment, fields: ReadonlyArray<CommentFieldName>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const field of fields) if (comment[field] !== undefined) out[field] = comment[field]
  return out
}

/** Why the API refuses the comments of a video it does not know (an id never issued, or mistyped). */
export const unknownVideo = (videoId: string): InvalidParams => new InvalidParams(`Video ${videoId} does not exist`)

/**
 * Comments of a video, oldest first, by offset cursor; only the first 1,000 are reachable. An
 * unknown video id is refused for that video only (400 `invalid_params`).
 */
export const commentList: Endpoint = (state, request) => {
  const fields = parseFields(request.fields, commentFieldNames)
  const videoId = requiredId(request.body, request.rawBody, "video_id")
  const maxCount = integerIn(request.body, "max_count", 1, 100, 10)
  const cursor = integerIn(request.body, "cursor", 0, Number.MAX_SAFE_INTEGER, 0)
  if (cursor >= REACHABLE_COMMENTS) throw new InvalidParams(`cursor: only the first ${REACHABLE_COMMENTS} comments are reachable`)
  const index = state.world.videos.indexOfId(videoId)
  if (index < 0) throw unknownVideo(videoId)
  const all = state.world.comments.comments(index)
  const end = Math.min(all.length, cursor + maxCount)
  const page = all.slice(cursor, end)
  const comments = jsonText(page.map((c) => select(c, fields)), request.bareIds)
  return { data: `{"comments":${comments},"cursor":${Math.max(cursor, end)},"has_more":${end < all.length}}` }
}
