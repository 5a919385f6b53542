import type { SocialUser, Source } from "@tikflow/core"
import type { TikTokClient } from "../client/tiktok-client.js"
import { decodeRecord } from "../decode/field-decoders.js"
import { socialUserTable } from "../decode/record-tables.js"
import { endpoints } from "./endpoints.js"
import type { CommonSourceOptions } from "./source-options.js"
import { userListSource } from "./user-list-source.js"

export interface SocialListOptions extends CommonSourceOptions {
  readonly usernames: ReadonlyArray<string>
}

/** A `SocialUser` edge: `username` is listed as `relation` of `of_username`. */
export const decodeSocialUser = (relation: SocialUser["relation"]) => (item: unknown, path: string, ofUsername: string): SocialUser => ({
  ...decodeRecord<{ username: string; display_name: string | null }>(socialUserTable, item, path, { required: ["username"] }),
  of_username: ofUsername,
  relation
})

/** The followers of each user (timestamp cursor, most recent first). */
export const followers = (options: SocialListOptions): Source<"social_user", TikTokClient> =>
  userListSource({
    kind: "social_user",
    stream: "followers",
    endpoint: endpoints.followers,
    fields: ["display_name", "username"],
    listKeys: ["user_followers", "followers"],
    decode: decodeSocialUser("follower")
  }, options)
