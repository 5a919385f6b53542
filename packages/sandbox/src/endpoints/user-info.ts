import { parseFields } from "../api/fields.js"
import type { Endpoint } from "../server/endpoint.js"
import type { SyntheticUser } from "../world/user-table.js"
import type { World } from "../world/world.js"
import { accountOf } from "./user-account.js"

export const userInfoFieldNames = [
  "display_name", "bio_description", "bio_url", "avatar_url", "is_verified", "follower_count", "following_count",
  "likes_count", "video_count"
] as const
export type UserInfoFieldName = (typeof userInfoFieldNames)[number]

/** User info in API shape for `fields`; empty strings (no bio, no bio link) are omitted, as live. */
export const apiUserInfo = (world: World, user: SyntheticUser, fields: ReadonlyArray<UserInfoFieldName>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    switch (field) {
      case "display_name": out.display_name = user.displayName; break
      case "bio_description": if (user.bioDescription !== "") out.bio_description = user.bioDescription; break
      case "bio_url": if (user.bioUrl !== "") out.bio_url = user.bioUrl; break
      case "avatar_url": out.avatar_url = user.avatarUrl; break
      case "is_verified": out.is_verified = user.isVerified; break
      case "follower_count": out.follower_count = world.users.followers(user.index).users.length; break
      case "following_count": out.following_count = world.users.following(user.index).users.length; break
      case "likes_count": out.likes_count = user.likesCount; break
      case "video_count": out.video_count = user.videoCount; break
    }
  }
  return out
}

export const userInfo: Endpoint = (state, request) => {
  const fields = parseFields(request.fields, userInfoFieldNames)
  const user = accountOf(state.world, request.body)
  return { data: JSON.stringify(apiUserInfo(state.world, user, fields)) }
}
