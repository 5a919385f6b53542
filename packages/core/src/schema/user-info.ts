import * as Schema from "effect/Schema"
import type { Effect } from "effect"
import type { DecodeError } from "../errors/api-errors.js"
import type { UserInfo } from "../records/user-info.js"
import { decodeEffect, decodeWith } from "./decode-with.js"
import { fastEnvelope, WireErrorEnvelope } from "./error-envelope.js"
import { asObject, makeFastDecoder } from "./fast-fields.js"
import type { RecordOfTable } from "./fast-fields.js"
import { researchEndpoints } from "./research-endpoints.js"
import { assertTrue } from "./type-equality.js"
import type { Equals } from "./type-equality.js"
import { WireCount, optionalOrNull } from "./wire-values.js"

/** `data` of `/v2/research/user/info/`: the spec's fields plus the real `bio_url`. */
export const WireUserInfo = Schema.Struct({
  display_name: optionalOrNull(Schema.String),
  bio_description: optionalOrNull(Schema.String),
  bio_url: optionalOrNull(Schema.String),
  avatar_url: optionalOrNull(Schema.String),
  is_verified: optionalOrNull(Schema.Boolean),
  follower_count: optionalOrNull(WireCount),
  following_count: optionalOrNull(WireCount),
  likes_count: optionalOrNull(WireCount),
  video_count: optionalOrNull(WireCount)
})
assertTrue<Equals<typeof WireUserInfo.Type, Omit<UserInfo, "username" | "lookup_error">>>()

const userInfoTable = {
  display_name: "string", bio_description: "string", bio_url: "string", avatar_url: "string",
  is_verified: "boolean", follower_count: "count", following_count: "count", likes_count: "count",
  video_count: "count"
} as const
assertTrue<Equals<RecordOfTable<typeof userInfoTable>, typeof WireUserInfo.Type>>()
const fastWireUserInfo = makeFastDecoder(userInfoTable)

/** The response schema of `/v2/research/user/info/`. */
export const UserInfoResponse = Schema.Struct({ data: optionalOrNull(WireUserInfo), error: optionalOrNull(WireErrorEnvelope) })

const toUserInfo = (username: string, wire: typeof WireUserInfo.Type): UserInfo => ({
  username,
  display_name: wire.display_name,
  bio_description: wire.bio_description,
  bio_url: wire.bio_url,
  avatar_url: wire.avatar_url,
  is_verified: wire.is_verified,
  follower_count: wire.follower_count,
  following_count: wire.following_count,
  likes_count: wire.likes_count,
  video_count: wire.video_count,
  lookup_error: null
})

const emptyWire: typeof WireUserInfo.Type = fastWireUserInfo({}) as typeof WireUserInfo.Type

/**
 * The account `username` from a user info body: `lookup_error` null on success; a body whose
 * envelope is not `ok` gives the refused-lookup record ({@link userInfoLookupFailed}).
 */
export const decodeUserInfoResponseSync = (
  body: unknown,
  username: string,
  endpoint: string = researchEndpoints.userInfo
): UserInfo => {
  const root = asObject(body)
  const envelope = root === undefined ? undefined : fastEnvelope(root.error)
  if (root !== undefined && envelope !== undefined) {
    if (envelope.code !== "ok") return userInfoLookupFailed(username, envelope.code)
    const wire = root.data === undefined || root.data === null ? emptyWire : fastWireUserInfo(root.data)
    if (wire !== undefined) return toUserInfo(username, wire)
  }
  const response = decodeWith(UserInfoResponse, body, endpoint)
  if (response.error !== null && response.error.code !== "ok") return userInfoLookupFailed(username, response.error.code)
  return toUserInfo(username, response.data ?? emptyWire)
}

export const decodeUserInfoResponse = (
  body: unknown,
  username: string,
  endpoint: string = researchEndpoints.userInfo
): Effect.Effect<UserInfo, DecodeError> =>
  decodeEffect(() => decodeUserInfoResponseSync(body, username, endpoint), endpoint)

/**
 * The record of a lookup the API refused for this user only (unknown or private account): every
 * field null but `username`, and `lookup_error` the API's error code.
 */
export const userInfoLookupFailed = (username: string, code: string): UserInfo => ({
  ...toUserInfo(username, emptyWire),
  lookup_error: code
})
