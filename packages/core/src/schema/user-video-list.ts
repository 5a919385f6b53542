import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import { decodeEffect } from "./decode-with.js"
import type { UserVideo, Video } from "../records/video.js"
import { makeListPageDecoder, withEdge } from "./list-page.js"
import type { DecodedPage } from "./list-page.js"
import { researchEndpoints } from "./research-endpoints.js"
import { VideoFromWire, fastVideo } from "./video.js"

export type UserVideoList = UserVideo["list"]

/**
 * Where each list is, real names first: liked in `user_liked_videos`; pinned in
 * `pinned_videos_list` (an older doc: `user_pinned_videos`); reposted in `reposted_videos` or
 * `user_reposted_videos`; the spec says `videos` for all three.
 */
const userVideoPages = {
  liked: makeListPageDecoder<Video>({ listKeys: ["user_liked_videos", "videos"], item: VideoFromWire, fastItem: fastVideo }),
  pinned: makeListPageDecoder<Video>({
    listKeys: ["pinned_videos_list", "user_pinned_videos", "videos"],
    item: VideoFromWire,
    fastItem: fastVideo
  }),
  reposted: makeListPageDecoder<Video>({
    listKeys: ["reposted_videos", "user_reposted_videos", "videos"],
    item: VideoFromWire,
    fastItem: fastVideo
  })
}

/** The response schemas of the liked, pinned and reposted video lists. */
export const LikedVideosResponse = userVideoPages.liked.schema
export const PinnedVideosResponse = userVideoPages.pinned.schema
export const RepostedVideosResponse = userVideoPages.reposted.schema

const listEndpoint = (list: UserVideoList): string =>
  list === "liked"
    ? researchEndpoints.likedVideos
    : list === "pinned"
      ? researchEndpoints.pinnedVideos
      : researchEndpoints.repostedVideos

/** A page of `ofUsername`'s liked, pinned or reposted videos: each record is the edge. */
export const decodeUserVideoListResponseSync = (
  body: unknown,
  list: UserVideoList,
  ofUsername: string,
  endpoint: string = listEndpoint(list)
): DecodedPage<UserVideo> => withEdge(userVideoPages[list].decodeSync(body, endpoint), { of_username: ofUsername, list })

export const decodeUserVideoListResponse = (
  body: unknown,
  list: UserVideoList,
  ofUsername: string,
  endpoint: string = listEndpoint(list)
): Effect.Effect<DecodedPage<UserVideo>, DecodeError> =>
  decodeEffect(() => decodeUserVideoListResponseSync(body, list, ofUsername, endpoint), endpoint)
