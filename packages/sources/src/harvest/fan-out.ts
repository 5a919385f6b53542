import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Comment, SourceError, UserInfo, Video } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { comments } from "../sources/comments.js"
import type { CommonSourceOptions } from "../sources/source-options.js"
import { userInfo } from "../sources/user-info.js"
import { recordsOf } from "./records-of.js"

export interface FanOutOptions extends CommonSourceOptions {
  /** Videos or users fetched at once (default 2); the client's rate limit still applies to all. */
  readonly concurrency?: number
}

/**
 * The comments of every video of a stream, `concurrency` videos at a time. Videos whose
 * `comment_count` is explicitly 0 are skipped (a missing count may mean anything).
 */
export const commentsForVideos = <E, R>(
  videos: Stream.Stream<Pick<Video, "id" | "comment_count">, E, R>,
  options: FanOutOptions = {}
): Stream.Stream<Comment, E | SourceError, R | TikTokClient> =>
  videos.pipe(
    Stream.filter((video) => video.comment_count !== 0),
    Stream.flatMap((video) => recordsOf(comments({ ...options, videoIds: [video.id] })), {
      concurrency: options.concurrency ?? 2,
      bufferSize: 1
    })
  )

/** User info for the distinct authors of a stream of videos, each looked up once. */
export const userInfoForAuthors = <E, R>(
  videos: Stream.Stream<Pick<Video, "username">, E, R>,
  options: FanOutOptions = {}
): Stream.Stream<UserInfo, E | SourceError, R | TikTokClient> =>
  Stream.unwrap(Effect.sync(() => {
    const seen = new Set<string>()
    return videos.pipe(
      Stream.filter((video): video is { readonly username: string } => {
        if (video.username === null || seen.has(video.username)) return false
        seen.add(video.username)
        return true
      }),
      Stream.flatMap((video) => recordsOf(userInfo({ ...options, usernames: [video.username] })), {
        concurrency: options.concurrency ?? 2,
        bufferSize: 1
      })
    )
  }))
