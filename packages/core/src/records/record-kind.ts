import type { Comment } from "./comment.js"
import { commentFields } from "./comment.js"
import type { SocialUser } from "./social-user.js"
import { socialUserFields } from "./social-user.js"
import type { UserInfo } from "./user-info.js"
import { userInfoFields } from "./user-info.js"
import type { UserVideo, Video } from "./video.js"
import { videoFields } from "./video.js"

/** The record types tikflow delivers, by name. */
export interface RecordKinds {
  readonly video: Video
  readonly user_video: UserVideo
  readonly user_info: UserInfo
  readonly comment: Comment
  readonly social_user: SocialUser
}

export type RecordKind = keyof RecordKinds
export type AnyRecord = RecordKinds[RecordKind]

/** What every stage needs to know about a record type: its columns and its primary key. */
export interface RecordKindInfo<K extends RecordKind> {
  readonly kind: K
  readonly fields: ReadonlyArray<keyof RecordKinds[K] & string>
  /** The primary-key columns, in order. */
  readonly primaryKey: ReadonlyArray<keyof RecordKinds[K] & string>
  /** The primary key as one string (columns joined by U+001F, which no key contains). */
  readonly keyOf: (record: RecordKinds[K]) => string
}

const KEY_SEPARATOR = "\u001f"

const info = <K extends RecordKind>(
  kind: K,
  fields: ReadonlyArray<keyof RecordKinds[K] & string>,
  primaryKey: ReadonlyArray<keyof RecordKinds[K] & string>
): RecordKindInfo<K> => ({
  kind,
  fields,
  primaryKey,
  keyOf: primaryKey.length === 1
    ? (record) => String(record[primaryKey[0]])
    : (record) => primaryKey.map((column) => String(record[column])).join(KEY_SEPARATOR)
})

export const recordKinds: { readonly [K in RecordKind]: RecordKindInfo<K> } = {
  video: info("video", videoFields, ["id"]),
  user_video: info("user_video", [...videoFields, "of_username", "list"], ["list", "of_username", "id"]),
  user_info: info("user_info", userInfoFields, ["username"]),
  comment: info("comment", commentFields, ["id"]),
  social_user: info("social_user", socialUserFields, ["relation", "of_username", "username"])
}
