/** The research endpoints' paths. */
export const endpoints = {
  videoQuery: "/v2/research/video/query/",
  userInfo: "/v2/research/user/info/",
  comments: "/v2/research/video/comment/list/",
  followers: "/v2/research/user/followers/",
  following: "/v2/research/user/following/",
  likedVideos: "/v2/research/user/liked_videos/",
  pinnedVideos: "/v2/research/user/pinned_videos/",
  repostedVideos: "/v2/research/user/reposted_videos/"
} as const
