import type { Source } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { endpoints } from "./endpoints.js"
import { userVideoList } from "./user-video-list.js"
import type { UserVideoListOptions } from "./user-video-list.js"

/** Videos each user reposted (TikTok's wrapper reads `reposted_videos`, its docs `user_reposted_videos`). */
export const repostedVideos = (options: UserVideoListOptions): Source<"user_video", TikTokClient> =>
  userVideoList("reposted", endpoints.repostedVideos, options)
