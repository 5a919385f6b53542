import * as Effect from "effect/Effect"
import { commentApiFields, ConfigError, decodeCommentListResponse, encodeCommentListRequest } from "@tikflow/core/internal"
import type { Comment, Source, SourceError } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { keyedPages, plannedKeys } from "../harvest/keyed-pages.js"
import type { KeyPage, KeyRequest } from "../harvest/keyed-pages.js"
import { endpoints } from "./endpoints.js"
import { keyPage } from "./key-page.js"
import { withSourceRun } from "./source-run.js"
import type { CommonSourceOptions } from "./source-options.js"
import { maxCountOf } from "./source-options.js"

/** Only the first 1,000 comments of a video are reachable: cursor + max_count ≤ 1000. */
export const COMMENT_CAP = 1000

export interface CommentsOptions extends CommonSourceOptions {
  /** Video ids as decimal strings. */
  readonly videoIds: ReadonlyArray<string>
}

const endpoint = endpoints.comments

/**
 * The comments of each video, in order, offset cursor as the API returns it, stopping at the
 * 1,000 cap. A video the API refuses (deleted, private) is skipped with an `item-refused` event
 * (`itemKind: "video_id"`).
 */
export const comments = (options: CommentsOptions): Source<"comment", TikTokClient> => {
  const videoIds = options.videoIds
  if (!Array.isArray(videoIds) || videoIds.length === 0 || videoIds.some((id) => typeof id !== "string" || !/^\d+$/.test(id))) {
    throw ConfigError.make("videoIds", "a non-empty list of decimal video ids", videoIds)
  }
  const maxCount = maxCountOf(options)
  const offsetOf = (cursor: number | string | null) => (cursor === null ? 0 : Number(cursor))
  /** Comments a request from `offset` may ask for: a page, within the 1,000 cap. */
  const countFrom = (offset: number) => Math.min(maxCount, COMMENT_CAP - offset)
  const requestOf = (videoId: string, cursor: number | string | null): KeyRequest => ({
    endpoint,
    fields: commentApiFields,
    // Core's encoder writes the id as the API's int64 expects: a bare number, exact past 2^53.
    body: encodeCommentListRequest({ video_id: videoId, max_count: countFrom(offsetOf(cursor)), cursor: offsetOf(cursor) })
  })
  return {
    kind: "comment",
    stream: "comments",
    harvestId: harvestIdOf("comments", { endpoint, videoIds, maxCount }),
    pages: (run = {}) =>
      withSourceRun(options, run.onProgress, (source) =>
        keyedPages(videoIds, run.resumeFrom, { endpoint, keyKind: "video", order: "ascending" }, (videoId, cursor): Effect.Effect<KeyPage<Comment>, SourceError> => {
          if (countFrom(offsetOf(cursor)) <= 0) return Effect.succeed({ records: [], next: null })
          return keyPage(source, run.onProgress, {
            endpoint,
            request: () => requestOf(videoId, cursor),
            itemKind: "video_id",
            item: videoId,
            decode: (response) => decodeCommentListResponse(response, endpoint),
            // A cursor that does not move forward is a loop: keyedPages stops it with a typed error.
            page: (decoded) => ({
              records: decoded.records,
              next: decoded.hasMore && decoded.cursor !== null && decoded.cursor < COMMENT_CAP ? decoded.cursor : null
            }),
            refused: () => []
          })
        }, options.concurrency)),
    plan: (resumeFrom) => plannedKeys(videoIds, resumeFrom, "video", requestOf)
  }
}
