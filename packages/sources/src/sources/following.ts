import type { Source } from "@tikflow/core"
import type { TikTokClient } from "../client/tiktok-client.js"
import { decodeSocialUser } from "./followers.js"
import type { SocialListOptions } from "./followers.js"
import { endpoints } from "./endpoints.js"
import { userListSource } from "./user-list-source.js"

/** The accounts each user follows. Real responses say `user_following`; the spec says `user_followers`. */
export const following = (options: SocialListOptions): Source<"social_user", TikTokClient> =>
  userListSource({
    kind: "social_user",
    stream: "following",
    endpoint: endpoints.following,
    fields: ["display_name", "username"],
    listKeys: ["user_following", "user_followers", "following"],
    decode: decodeSocialUser("following")
  }, options)
