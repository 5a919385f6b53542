/** The Research API's paths, as `DecodeError.endpoint` and sources name them. */
export const researchEndpoints = {
  token: "/v2/oauth/token/",
  videoQuery: "/v2/research/video/query/",
  userInfo: "/v2/research/user/info/",
  commentList: "/v2/research/video/comment/list/",
  followers: "/v2/research/user/followers/",
  following: "/v2/research/user/following/",
  likedVideos: "/v2/research/user/liked_videos/",
  pinnedVideos: "/v2/research/user/pinned_videos/",
  repostedVideos: "/v2/research/user/reposted_videos/"
} as const

export type ResearchEndpoint = keyof typeof researchEndpoints
