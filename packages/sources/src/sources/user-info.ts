import * as Effect from "effect/Effect"
import { decodeUserInfoResponse, userInfoApiFields, userInfoLookupFailed } from "@tikflow/core/internal"
import type { Source, SourceError, UserInfo } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { keyedPages, plannedKeys } from "../harvest/keyed-pages.js"
import type { KeyPage, KeyRequest } from "../harvest/keyed-pages.js"
import { endpoints } from "./endpoints.js"
import { keyPage } from "./key-page.js"
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
      withSourceRun(options, run.onProgress, (source) =>
        keyedPages(usernames, run.resumeFrom, { endpoint, keyKind: "user", order: "any" }, (username): Effect.Effect<KeyPage<UserInfo>, SourceError> =>
          keyPage(source, run.onProgress, {
            endpoint,
            request: () => requestOf(username),
            itemKind: "username",
            item: username,
            decode: (response) => decodeUserInfoResponse(response, username, endpoint),
            page: (record) => ({ records: [record], next: null }),
            // A refused lookup is still the user's record, saying why.
            refused: (code) => [userInfoLookupFailed(username, code)]
          }), options.concurrency)),
    plan: (resumeFrom) => plannedKeys(usernames, resumeFrom, "user", requestOf)
  }
}
