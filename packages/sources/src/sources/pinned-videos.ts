import type { Source } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { endpoints } from "./endpoints.js"
import { userVideoList } from "./user-video-list.js"
import type { UserVideoListOptions } from "./user-video-list.js"

/** Videos each user pinned (real key `pinned_videos_list`; an older doc says `user_pinned_videos`). */
export const pinnedVideos = (options: UserVideoListOptions): Source<"user_video", TikTokClient> =>
  userVideoList("pinned", endpoints.pinnedVideos, options)
