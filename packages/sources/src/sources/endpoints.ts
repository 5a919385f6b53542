import { researchEndpoints } from "@tikflow/core/internal"

/** The research endpoints' paths (core's table, under the names the sources use). */
export const endpoints = {
  videoQuery: researchEndpoints.videoQuery,
  userInfo: researchEndpoints.userInfo,
  comments: researchEndpoints.commentList,
  followers: researchEndpoints.followers,
  following: researchEndpoints.following,
  likedVideos: researchEndpoints.likedVideos,
  pinnedVideos: researchEndpoints.pinnedVideos,
  repostedVideos: researchEndpoints.repostedVideos
} as const
