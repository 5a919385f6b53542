import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import type { Comment } from "../records/comment.js"
import { CommentFromWire, fastComment } from "./comment.js"
import { makeListPageDecoder } from "./list-page.js"
import type { DecodedPage } from "./list-page.js"
import { researchEndpoints } from "./research-endpoints.js"

const commentListPage = makeListPageDecoder<Comment>({ listKeys: ["comments"], item: CommentFromWire, fastItem: fastComment })

/** The response schema of `/v2/research/video/comment/list/`. */
export const CommentListResponse = commentListPage.schema

/** A comment page: its comments, the cursor (an offset) to send back, `has_more`, the envelope. */
export const decodeCommentListResponse = (
  body: unknown,
  endpoint: string = researchEndpoints.commentList
): Effect.Effect<DecodedPage<Comment>, DecodeError> => commentListPage.decode(body, endpoint)

/** {@link decodeCommentListResponse}, throwing the `DecodeError`. */
export const decodeCommentListResponseSync = (
  body: unknown,
  endpoint: string = researchEndpoints.commentList
): DecodedPage<Comment> => commentListPage.decodeSync(body, endpoint)
