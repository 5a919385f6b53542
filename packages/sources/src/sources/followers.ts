import { decodeSocialListResponse, socialUserApiFields } from "@tikflow/core/internal"
import type { SocialUser, Source } from "@tikflow/core/internal"
import type { TikTokClient } from "../client/tiktok-client.js"
import { endpoints } from "./endpoints.js"
import type { CommonSourceOptions } from "./source-options.js"
import { userListSource } from "./user-list-source.js"

export interface SocialListOptions extends CommonSourceOptions {
  readonly usernames: ReadonlyArray<string>
}

/** The spec of a followers/following harvest: each record is the edge `of_username` —relation→ `username`. */
export const socialList = (relation: SocialUser["relation"], stream: string, endpoint: string, options: SocialListOptions) =>
  userListSource({
    kind: "social_user",
    stream,
    endpoint,
    fields: socialUserApiFields,
    decodePage: (body, username) => decodeSocialListResponse(body, relation, username, endpoint)
  }, options)

/** The followers of each user (timestamp cursor, most recent first). */
export const followers = (options: SocialListOptions): Source<"social_user", TikTokClient> =>
  socialList("follower", "followers", endpoints.followers, options)
