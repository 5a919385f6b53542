import { InvalidParams } from "../api/invalid-params.js"
import { requiredString } from "../api/request-values.js"
import type { World } from "../world/world.js"
import type { SyntheticUser } from "../world/user-table.js"
import { userIndexOf } from "../world/username.js"

/**
 * The account a request names. Unknown, deleted and private accounts answer `invalid_params` for
 * that user only: "User <name> is private or does not exist".
 */
export const accountOf = (world: World, body: Record<string, unknown>): SyntheticUser => {
  const username = requiredString(body, "username")
  const index = userIndexOf(username)
  const user = index >= 0 && index < world.users.count ? world.users.user(index) : undefined
  if (user === undefined || user.status !== "public") {
    throw new InvalidParams(`User ${username} is private or does not exist`)
  }
  return user
}

export type UserList = "followers" | "following" | "liked" | "pinned" | "reposted"

const listLabels: Readonly<Record<UserList, string>> = {
  followers: "followers",
  following: "followings",
  liked: "liked videos",
  pinned: "pinned videos",
  reposted: "reposted videos"
}

/** Refusal of a list the account keeps private: "User <name>'s <list> are private". */
export const privateList = (user: SyntheticUser, list: UserList): InvalidParams =>
  new InvalidParams(`User ${user.username}'s ${listLabels[list]} are private`)
