import { parseFields } from "../api/fields.js"
import { integerIn } from "../api/request-values.js"
import type { Endpoint } from "../server/endpoint.js"
import type { World } from "../world/world.js"
import { usernameOf } from "../world/username.js"
import { accountOf, privateList } from "./user-account.js"

export const socialUserFieldNames = ["display_name", "username"] as const
export type SocialUserFieldName = (typeof socialUserFieldNames)[number]

export type SocialRelation = "followers" | "following"

/** An entry of a followers/following list in API shape. */
export interface ApiSocialUser {
  readonly display_name: string
  readonly username: string
}

/**
 * Cursors are UNIX seconds; a page holds the entries strictly older than the cursor (none = the
 * newest), and the next cursor is the follow time of its oldest entry. Millisecond cursors (the
 * docs mix both) are accepted.
 */
export const socialPage = (world: World, relation: SocialRelation, userIndex: number, cursor: number, maxCount: number) => {
  const list = relation === "followers" ? world.users.followers(userIndex) : world.users.following(userIndex)
  const before = cursor === 0 ? Infinity : cursor > 100_000_000_000 ? Math.floor(cursor / 1000) : cursor
  let start = 0
  while (start < list.times.length && list.times[start] >= before) start++
  const end = Math.min(list.times.length, start + maxCount)
  const entries: Array<ApiSocialUser> = []
  for (let k = start; k < end; k++) {
    const user = world.users.user(list.users[k])
    entries.push({ display_name: user.displayName, username: usernameOf(user.index) })
  }
  return { entries, cursor: end > start ? list.times[end - 1] : cursor, hasMore: end < list.times.length }
}

const socialList = (relation: SocialRelation, key: string): Endpoint => (state, request) => {
  const fields = parseFields(request.fields, socialUserFieldNames)
  const user = accountOf(state.world, request.body)
  if (user.privateLists[relation]) throw privateList(user, relation)
  const maxCount = integerIn(request.body, "max_count", 1, 100, 20)
  const cursor = integerIn(request.body, "cursor", 0, Number.MAX_SAFE_INTEGER, 0)
  const page = socialPage(state.world, relation, user.index, cursor, maxCount)
  const entries = page.entries.map((e) => Object.fromEntries(fields.map((f) => [f, e[f]])))
  return { data: `{${JSON.stringify(key)}:${JSON.stringify(entries)},"cursor":${page.cursor},"has_more":${page.hasMore}}` }
}

export const userFollowers = socialList("followers", "user_followers")
export const userFollowing = socialList("following", "user_following")
