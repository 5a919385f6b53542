import * as Effect from "effect/Effect"
import type { DecodedPage, DecodeError, RecordKind, RecordKinds, Source, SourceError } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { finalResponse } from "../harvest/final-response.js"
import { keyedPages, plannedKeys } from "../harvest/keyed-pages.js"
import type { KeyPage, KeyRequest } from "../harvest/keyed-pages.js"
import type { CommonSourceOptions } from "./source-options.js"
import { withSourceRun } from "./source-run.js"
import { maxCountOf, nonEmptyNames } from "./source-options.js"

/** How one per-user list endpoint (followers, liked videos, …) is called and read. */
export interface UserListSpec<K extends RecordKind> {
  readonly kind: K
  readonly stream: string
  readonly endpoint: string
  readonly fields: ReadonlyArray<string>
  /** Core's decoder of one page of this list for `username` (it knows where each list sits). */
  readonly decodePage: (body: unknown, username: string) => Effect.Effect<DecodedPage<RecordKinds[K]>, DecodeError>
}

/**
 * A harvest over several users' lists, one user after the other, timestamp/offset cursor as the API
 * returns it. A user whose list the API refuses (private or unknown account: `InvalidRequestError`)
 * is skipped with an `item-refused` event; the harvest goes on.
 */
export const userListSource = <K extends RecordKind>(
  spec: UserListSpec<K>,
  options: CommonSourceOptions & { readonly usernames: ReadonlyArray<string> }
): Source<K, TikTokClient> => {
  const usernames = nonEmptyNames("usernames", options.usernames)
  const maxCount = maxCountOf(options)
  const requestOf = (username: string, cursor: number | string | null): KeyRequest => ({
    endpoint: spec.endpoint,
    fields: spec.fields,
    body: { username, max_count: maxCount, ...(cursor === null ? {} : { cursor }) }
  })
  return {
    kind: spec.kind,
    stream: spec.stream,
    harvestId: harvestIdOf(spec.stream, { endpoint: spec.endpoint, usernames, fields: spec.fields, maxCount }),
    pages: (run = {}) =>
      withSourceRun(options, run.onProgress, ({ client, retry, emit }) => {
        // Cursor directions differ by list (follow times descend, offsets ascend): only repeats are refused.
        return keyedPages(usernames, run.resumeFrom, { endpoint: spec.endpoint, keyKind: "user", order: "any" }, (username, cursor) => {
          const { onResponse, responses } = finalResponse()
          return client.call({ ...requestOf(username, cursor), retry, onProgress: run.onProgress, onResponse }).pipe(
            Effect.flatMap((body) => spec.decodePage(body, username)),
            Effect.map((decoded): KeyPage<RecordKinds[K]> => {
              // No cursor to send back means nothing more can be asked for; the same one again is a loop
              // (keyedPages stops it), not the end of the list.
              const more = decoded.hasMore && decoded.cursor !== null
              emit({ type: "page", endpoint: spec.endpoint, records: decoded.records.length, hasMore: more })
              return { records: decoded.records, next: more ? decoded.cursor : null, responses: responses() }
            }),
            Effect.catchTag("InvalidRequestError", (error) => {
              emit({ type: "item-refused", endpoint: spec.endpoint, itemKind: "username", item: username, code: error.code, message: error.message })
              return Effect.succeed<KeyPage<RecordKinds[K]>>({ records: [], next: null, responses: responses() })
            })
          )
        },
          options.concurrency
        )
      }),
    plan: (resumeFrom) => plannedKeys(usernames, resumeFrom, "user", requestOf)
  }
}
