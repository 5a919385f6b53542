import type { Source } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { socialList } from "./followers.js"
import type { SocialListOptions } from "./followers.js"
import { endpoints } from "./endpoints.js"

/** The accounts each user follows (real responses say `user_following`, the spec `user_followers`). */
export const following = (options: SocialListOptions): Source<"social_user", TikTokClient> =>
  socialList("following", "following", endpoints.following, options)
