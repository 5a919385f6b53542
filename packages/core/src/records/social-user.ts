/**
 * One account in another account's followers or following list. The record is the edge
 * (`of_username` —`relation`→ `username`), so the same account listed for two harvested users is
 * two records, not a duplicate.
 */
export interface SocialUser {
  readonly username: string
  readonly display_name: string | null
  readonly of_username: string
  readonly relation: "follower" | "following"
}

export const socialUserFields = ["username", "display_name", "of_username", "relation"] as const satisfies ReadonlyArray<
  keyof SocialUser
>
