import * as Schema from "effect/Schema"
import type { Comment } from "../records/comment.js"
import { makeFastDecoder } from "./fast-fields.js"
import type { RecordOfTable } from "./fast-fields.js"
import { assertTrue } from "./type-equality.js"
import type { Equals } from "./type-equality.js"
import { WireCount, DecimalId, optionalOrNull } from "./wire-values.js"

/**
 * A comment as the API sends it: ids as bare numbers or strings, empty `text` and zero counts
 * kept as sent, absent fields null. `id` and `video_id` are the record's identity, so they are required.
 */
export const CommentFromWire = Schema.Struct({
  id: DecimalId,
  video_id: DecimalId,
  text: optionalOrNull(Schema.String),
  like_count: optionalOrNull(WireCount),
  reply_count: optionalOrNull(WireCount),
  parent_comment_id: optionalOrNull(DecimalId),
  create_time: optionalOrNull(WireCount)
})
assertTrue<Equals<typeof CommentFromWire.Type, Comment>>()

const commentTable = {
  id: "id", video_id: "id", text: "string", like_count: "count", reply_count: "count",
  parent_comment_id: "id", create_time: "count"
} as const
const fastCommentRecord = makeFastDecoder(commentTable, { required: ["id", "video_id"] })

/** The fast path of {@link CommentFromWire}: the comment, or `undefined` to defer to the schema. */
export const fastComment = fastCommentRecord as (raw: unknown) => Comment | undefined
assertTrue<Equals<Omit<RecordOfTable<typeof commentTable>, "id" | "video_id">, Omit<Comment, "id" | "video_id">>>()
