import { parseFields } from "../api/fields.js"
import { integerIn } from "../api/request-values.js"
import { videoFieldNames } from "../api/video-fields.js"
import type { Endpoint } from "../server/endpoint.js"
import type { UserVideoList } from "../world/user-video-lists.js"
import { accountOf, privateList } from "./user-account.js"

/** Where the real API puts each list in `data`. */
export const userVideoListKeys: Readonly<Record<UserVideoList, string>> = {
  liked: "user_liked_videos",
  pinned: "pinned_videos_list",
  reposted: "reposted_videos"
}

/** A user's liked / pinned / reposted videos, newest first, by offset cursor. */
const userVideos = (list: UserVideoList): Endpoint => (state, request) => {
  const fields = parseFields(request.fields, videoFieldNames)
  const user = accountOf(state.world, request.body)
  if (user.privateLists[list]) throw privateList(user, list)
  const maxCount = integerIn(request.body, "max_count", 1, 100, 20)
  const cursor = integerIn(request.body, "cursor", 0, Number.MAX_SAFE_INTEGER, 0)
  const all = state.world.userVideos.list(list, user.index)
  const end = Math.min(all.length, cursor + maxCount)
  const videos = state.fragments.list(all.slice(cursor, end), fields, request.bareIds)
  return { data: [`{"${userVideoListKeys[list]}":`, videos, `,"cursor":${Math.max(cursor, end)},"has_more":${end < all.length}}`] }
}

export const userLikedVideos = userVideos("liked")
export const userPinnedVideos = userVideos("pinned")
export const userRepostedVideos = userVideos("reposted")
