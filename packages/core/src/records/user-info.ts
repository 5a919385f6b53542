/**
 * Public account information for one username. A lookup the API refuses for that user only
 * (unknown or private account) is still a record: its `lookup_error` names the API's error code
 * and every other field is null, so a harvest of many users keeps going and says who failed.
 */
export interface UserInfo {
  readonly username: string
  readonly display_name: string | null
  readonly bio_description: string | null
  readonly bio_url: string | null
  readonly avatar_url: string | null
  readonly is_verified: boolean | null
  readonly follower_count: number | null
  readonly following_count: number | null
  readonly likes_count: number | null
  readonly video_count: number | null
  readonly lookup_error: string | null
}

export const userInfoFields = [
  "username", "display_name", "bio_description", "bio_url", "avatar_url", "is_verified",
  "follower_count", "following_count", "likes_count", "video_count", "lookup_error"
] as const satisfies ReadonlyArray<keyof UserInfo>
