import * as Effect from "effect/Effect"
import { decodeUserInfoResponse, userInfoApiFields, userInfoLookupFailed } from "@tikflow/core/internal"
import type { Source, SourceError, UserInfo } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { finalResponse } from "../harvest/final-response.js"
import { keyedPages, plannedKeys } from "../harvest/keyed-pages.js"
import type { KeyPage, KeyRequest } from "../harvest/keyed-pages.js"
import { endpoints } from "./endpoints.js"
import { withSourceRun } from "./source-run.js"
import type { CommonSourceOptions } from "./source-options.js"
import { nonEmptyNames } from "./source-options.js"

export interface UserInfoOptions extends Omit<CommonSourceOptions, "maxCount"> {
  readonly usernames: ReadonlyArray<string>
}

const endpoint = endpoints.userInfo
const fields = userInfoApiFields

/**
 * Public account information, one request per user. An unknown or private account is still a
 * record (`lookup_error` set) plus an `item-refused` event; the harvest goes on.
 */
export const userInfo = (options: UserInfoOptions): Source<"user_info", TikTokClient> => {
  const usernames = nonEmptyNames("usernames", options.usernames)
  const requestOf = (username: string): KeyRequest => ({ endpoint, fields, body: { username } })
  return {
    kind: "user_info",
    stream: "users",
    harvestId: harvestIdOf("users", { endpoint, usernames, fields }),
    pages: (run = {}) =>
      withSourceRun(options, run.onProgress, ({ client, retry, emit }) => {
        return keyedPages(usernames, run.resumeFrom, { endpoint, keyKind: "user", order: "any" }, (username): Effect.Effect<KeyPage<UserInfo>, SourceError> => {
          const { onResponse, responses } = finalResponse()
          return client.call({ ...requestOf(username), retry, onProgress: run.onProgress, onResponse }).pipe(
            Effect.flatMap((response) => decodeUserInfoResponse(response, username, endpoint)),
            Effect.map((record): KeyPage<UserInfo> => {
              emit({ type: "page", endpoint, records: 1, hasMore: false })
              return { records: [record], next: null, responses: responses() }
            }),
            Effect.catchTag("InvalidRequestError", (error) => {
              emit({ type: "item-refused", endpoint, itemKind: "username", item: username, code: error.code, message: error.message })
              return Effect.succeed<KeyPage<UserInfo>>({ records: [userInfoLookupFailed(username, error.code)], next: null, responses: responses() })
            })
          )
        }, options.concurrency)
      }),
    plan: (resumeFrom) => plannedKeys(usernames, resumeFrom, "user", requestOf)
  }
}
