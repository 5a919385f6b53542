import * as Schema from "effect/Schema"
import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import { decodeEffect } from "./decode-with.js"
import type { SocialUser } from "../records/social-user.js"
import { makeFastDecoder } from "./fast-fields.js"
import { makeListPageDecoder, withEdge } from "./list-page.js"
import type { DecodedPage } from "./list-page.js"
import { researchEndpoints } from "./research-endpoints.js"
import { assertTrue } from "./type-equality.js"
import type { Equals } from "./type-equality.js"
import { optionalOrNull } from "./wire-values.js"

/** One account of a followers/following list as the API sends it. */
export const SocialUserFromWire = Schema.Struct({
  username: Schema.String,
  display_name: optionalOrNull(Schema.String)
})
assertTrue<Equals<typeof SocialUserFromWire.Type, Omit<SocialUser, "of_username" | "relation">>>()

const fastSocialUserRecord = makeFastDecoder({ username: "string", display_name: "string" } as const, { required: ["username"] })

/** Fast path of {@link SocialUserFromWire}. */
export const fastSocialUser = fastSocialUserRecord as (raw: unknown) => typeof SocialUserFromWire.Type | undefined

export type SocialRelation = SocialUser["relation"]

/**
 * Where each list is: real responses say `user_followers` and `user_following`; the spec says
 * `user_followers` for both, so following accepts that too.
 */
const socialPages = {
  follower: makeListPageDecoder({ listKeys: ["user_followers"], item: SocialUserFromWire, fastItem: fastSocialUser }),
  following: makeListPageDecoder({ listKeys: ["user_following", "user_followers"], item: SocialUserFromWire, fastItem: fastSocialUser })
}

/** The response schemas of `/v2/research/user/followers/` and `/v2/research/user/following/`. */
export const FollowersResponse = socialPages.follower.schema
export const FollowingResponse = socialPages.following.schema

const socialEndpoint = (relation: SocialRelation): string =>
  relation === "follower" ? researchEndpoints.followers : researchEndpoints.following

/** A followers or following page of `ofUsername`: each record is the edge to one account. */
export const decodeSocialListResponseSync = (
  body: unknown,
  relation: SocialRelation,
  ofUsername: string,
  endpoint: string = socialEndpoint(relation)
): DecodedPage<SocialUser> =>
  withEdge(socialPages[relation].decodeSync(body, endpoint), { of_username: ofUsername, relation })

export const decodeSocialListResponse = (
  body: unknown,
  relation: SocialRelation,
  ofUsername: string,
  endpoint: string = socialEndpoint(relation)
): Effect.Effect<DecodedPage<SocialUser>, DecodeError> =>
  decodeEffect(() => decodeSocialListResponseSync(body, relation, ofUsername, endpoint), endpoint)
