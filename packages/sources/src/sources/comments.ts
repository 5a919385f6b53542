import * as Effect from "effect/Effect"
import { commentApiFields, ConfigError, decodeCommentListResponse, encodeCommentListRequest } from "@tikflow/core/internal"
import type { Comment, Source, SourceError } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { finalResponse } from "../harvest/final-response.js"
import { keyedPages, plannedKeys } from "../harvest/keyed-pages.js"
import type { KeyPage, KeyRequest } from "../harvest/keyed-pages.js"
import { endpoints } from "./endpoints.js"
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
      withSourceRun(options, run.onProgress, ({ client, retry, emit }) => {
        return keyedPages(videoIds, run.resumeFrom, { endpoint, keyKind: "video", order: "ascending" }, (videoId, cursor): Effect.Effect<KeyPage<Comment>, SourceError> => {
          if (countFrom(offsetOf(cursor)) <= 0) return Effect.succeed({ records: [], next: null })
          const { onResponse, responses } = finalResponse()
          return Effect.sync(() => requestOf(videoId, cursor)).pipe(
            Effect.flatMap((request) => client.call({ ...request, retry, onProgress: run.onProgress, onResponse })),
            Effect.flatMap((response) => decodeCommentListResponse(response, endpoint)),
            Effect.map((decoded): KeyPage<Comment> => {
              const next = decoded.cursor
              // A cursor that does not move forward is a loop: keyedPages stops it with a typed error.
              const more = decoded.hasMore && next !== null && next < COMMENT_CAP
              emit({ type: "page", endpoint, records: decoded.records.length, hasMore: more })
              return { records: decoded.records, next: more ? next : null, responses: responses() }
            }),
            Effect.catchTag("InvalidRequestError", (error) => {
              emit({ type: "item-refused", endpoint, itemKind: "video_id", item: videoId, code: error.code, message: error.message })
              return Effect.succeed<KeyPage<Comment>>({ records: [], next: null, responses: responses() })
            })
          )
        }, options.concurrency)
      }),
    plan: (resumeFrom) => plannedKeys(videoIds, resumeFrom, "video", requestOf)
  }
}
