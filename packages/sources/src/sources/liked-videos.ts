import type { Source } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { endpoints } from "./endpoints.js"
import { userVideoList } from "./user-video-list.js"
import type { UserVideoListOptions } from "./user-video-list.js"

/** Videos each user liked; most accounts keep this list private (skipped with an `item-refused` event). */
export const likedVideos = (options: UserVideoListOptions): Source<"user_video", TikTokClient> =>
  userVideoList("liked", endpoints.likedVideos, options)
