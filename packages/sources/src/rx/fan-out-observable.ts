import type { Observable } from "rxjs"
import { rxjs } from "@tikflow/core/internal"
import type { Comment, UserInfo, Video } from "@tikflow/core/internal"
import type { TikTokClientHandle } from "../client/create-tiktok-client.js"
import type { FanOutOptions } from "../harvest/fan-out.js"
import { comments } from "../sources/comments.js"
import { userInfo } from "../sources/user-info.js"
import { toObservable } from "./to-observable.js"

/**
 * RxJS form of `commentsForVideos`: comments of every video, `concurrency` videos at a time.
 * Videos arriving while all slots are busy wait in `mergeMap`'s queue (RxJS has no pull).
 */
export const commentsForVideosObservable = (
  videos: Observable<Pick<Video, "id" | "comment_count">>,
  client: TikTokClientHandle,
  options: FanOutOptions = {}
): Observable<Comment> => {
  const { filter, mergeMap } = rxjs()
  return videos.pipe(
    filter((video) => video.comment_count !== 0),
    mergeMap((video) => toObservable(comments({ ...options, videoIds: [video.id] }), client), options.concurrency ?? 2)
  )
}

/** RxJS form of `userInfoForAuthors`: user info for the distinct authors, each looked up once. */
export const userInfoForAuthorsObservable = (
  videos: Observable<Pick<Video, "username">>,
  client: TikTokClientHandle,
  options: FanOutOptions = {}
): Observable<UserInfo> => {
  const { distinct, filter, map, mergeMap } = rxjs()
  return videos.pipe(
    map((video) => video.username),
    filter((username): username is string => username !== null),
    distinct(),
    mergeMap((username) => toObservable(userInfo({ ...options, usernames: [username] }), client), options.concurrency ?? 2)
  )
}
