import * as Effect from "effect/Effect"
import type { DecodedPage, DecodeError, RecordKind, RecordKinds, Source } from "@tikflow/core/internal"
import { TikTokClient } from "../client/tiktok-client.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { keyedPages, plannedKeys } from "../harvest/keyed-pages.js"
import type { KeyRequest } from "../harvest/keyed-pages.js"
import type { CommonSourceOptions } from "./source-options.js"
import { keyPage } from "./key-page.js"
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
      // Cursor directions differ by list (follow times descend, offsets ascend): only repeats are refused.
      withSourceRun(options, run.onProgress, (source) =>
        keyedPages(usernames, run.resumeFrom, { endpoint: spec.endpoint, keyKind: "user", order: "any" }, (username, cursor) =>
          keyPage(source, run.onProgress, {
            endpoint: spec.endpoint,
            request: () => requestOf(username, cursor),
            itemKind: "username",
            item: username,
            decode: (body) => spec.decodePage(body, username),
            // No cursor to send back means nothing more can be asked for; the same one again is a loop
            // (keyedPages stops it), not the end of the list.
            page: (decoded): { records: ReadonlyArray<RecordKinds[K]>; next: number | string | null } =>
              ({ records: decoded.records, next: decoded.hasMore && decoded.cursor !== null ? decoded.cursor : null }),
            refused: () => []
          }), options.concurrency)),
    plan: (resumeFrom) => plannedKeys(usernames, resumeFrom, "user", requestOf)
  }
}
