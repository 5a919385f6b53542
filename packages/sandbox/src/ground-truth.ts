import type { ApiVideo } from "./api/video-fields.js"
import { apiVideo, videoFieldNames } from "./api/video-fields.js"
import { InvalidParams } from "./api/invalid-params.js"
import type { ApiSocialUser } from "./endpoints/social-lists.js"
import { socialPage } from "./endpoints/social-lists.js"
import { unknownVideo } from "./endpoints/comment-list.js"
import { accountOf, privateList } from "./endpoints/user-account.js"
import { apiUserInfo, userInfoFieldNames } from "./endpoints/user-info.js"
import { parseDateWindow } from "./query/date-window.js"
import type { VideoQuery } from "./query/video-query.js"
import { compileVideoQuery, parseVideoQuery } from "./query/video-query.js"
import { VideoSearch } from "./query/video-search.js"
import type { ApiComment } from "./world/comment-table.js"
import type { UserVideoList } from "./world/user-video-lists.js"
import { withCountsShare } from "./world/growing-counts.js"
import type { World } from "./world/world.js"

/** What the API would refuse for this account: its `invalid_params` message. */
export class GroundTruthRefusal extends Error {
  override readonly name = "GroundTruthRefusal"
  readonly code = "invalid_params"
}

export interface VideoQueryTruthRequest {
  /** The request's `query` object ({@link VideoQuery}), validated as the API does. */
  readonly query: VideoQuery | unknown
  /** `YYYYMMDD`; the 30-day limit applies as in the API. */
  readonly start_date: string
  readonly end_date: string
}

/**
 * The exact records a faithful harvest yields, in API shape (ids as decimal strings, every field
 * the API would send for a request of all fields, omitted ones absent), in the API's order.
 * Functions throw `GroundTruthRefusal` where the API refuses (private or unknown accounts and lists).
 */
export interface GroundTruth {
  /** Every visible video of the query's result set (deleted/private ones the cursor skips excluded). */
  videos(request: VideoQueryTruthRequest): ReadonlyArray<ApiVideo>
  /**
   * The reachable comments (the first 1,000), oldest first. Throws `GroundTruthRefusal` for a video
   * id the world never issued, as the API refuses it.
   */
  comments(videoId: string): ReadonlyArray<ApiComment>
  followers(username: string): ReadonlyArray<ApiSocialUser>
  following(username: string): ReadonlyArray<ApiSocialUser>
  likedVideos(username: string): ReadonlyArray<ApiVideo>
  pinnedVideos(username: string): ReadonlyArray<ApiVideo>
  repostedVideos(username: string): ReadonlyArray<ApiVideo>
  /** User info with every field (empty bio / bio link omitted, as the API does). */
  userInfo(username: string): Readonly<Record<string, unknown>>
}

const refusing = <A>(run: () => A): A => {
  try {
    return run()
  } catch (cause) {
    if (cause instanceof InvalidParams) throw new GroundTruthRefusal(cause.message)
    throw cause
  }
}

export const groundTruthOf = (
  world: World,
  listed: (index: number) => boolean = (index) => !world.videos.isHidden(index),
  /** The share of its final counts a video shows now (`growingCounts`); default all. */
  countsShare: (index: number) => number = () => 1
): GroundTruth => {
  const video = (index: number) => apiVideo(withCountsShare(world.videos.video(index), countsShare(index)), videoFieldNames)
  const social = (relation: "followers" | "following") => (username: string) =>
    refusing(() => {
      const user = accountOf(world, { username })
      if (user.privateLists[relation]) throw privateList(user, relation)
      return socialPage(world, relation, user.index, 0, Number.MAX_SAFE_INTEGER).entries
    })
  const userVideos = (list: UserVideoList) => (username: string) =>
    refusing(() => {
      const user = accountOf(world, { username })
      if (user.privateLists[list]) throw privateList(user, list)
      return world.userVideos.list(list, user.index).map(video)
    })
  return {
    videos: (request) => {
      const query = parseVideoQuery(request.query)
      const window = parseDateWindow(request.start_date, request.end_date)
      const range = world.videos.range(window.startSeconds, window.endSeconds)
      return new VideoSearch(world.videos, range.from, range.to, compileVideoQuery(query))
        .all()
        .filter(listed)
        .map(video)
    },
    comments: (videoId) =>
      refusing(() => {
        const index = world.videos.indexOfId(videoId)
        if (index < 0) throw unknownVideo(videoId)
        return world.comments.comments(index)
      }),
    followers: social("followers"),
    following: social("following"),
    likedVideos: userVideos("liked"),
    pinnedVideos: userVideos("pinned"),
    repostedVideos: userVideos("reposted"),
    userInfo: (username) => refusing(() => apiUserInfo(world, accountOf(world, { username }), userInfoFieldNames))
  }
}
