import { commentList } from "../endpoints/comment-list.js"
import { userFollowers, userFollowing } from "../endpoints/social-lists.js"
import { userInfo } from "../endpoints/user-info.js"
import { userLikedVideos, userPinnedVideos, userRepostedVideos } from "../endpoints/user-videos.js"
import { videoQuery } from "../endpoints/video-query.js"
import type { Endpoint } from "./endpoint.js"

/** The names `stats.requests` counts by. */
export const endpointNames = [
  "oauth/token", "video/query", "user/info", "video/comment/list", "user/followers", "user/following",
  "user/liked_videos", "user/pinned_videos", "user/reposted_videos"
] as const
export type EndpointName = (typeof endpointNames)[number]

export const TOKEN_PATH = "/v2/oauth/token/"

/** Research endpoints by URL path (with the trailing slash the API uses). */
export const researchEndpoints: ReadonlyMap<string, { readonly name: EndpointName; readonly handle: Endpoint }> = new Map([
  ["/v2/research/video/query/", { name: "video/query", handle: videoQuery }],
  ["/v2/research/user/info/", { name: "user/info", handle: userInfo }],
  ["/v2/research/video/comment/list/", { name: "video/comment/list", handle: commentList }],
  ["/v2/research/user/followers/", { name: "user/followers", handle: userFollowers }],
  ["/v2/research/user/following/", { name: "user/following", handle: userFollowing }],
  ["/v2/research/user/liked_videos/", { name: "user/liked_videos", handle: userLikedVideos }],
  ["/v2/research/user/pinned_videos/", { name: "user/pinned_videos", handle: userPinnedVideos }],
  ["/v2/research/user/reposted_videos/", { name: "user/reposted_videos", handle: userRepostedVideos }]
] as const)
