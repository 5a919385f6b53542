import { Effect, Stream } from "effect"
import type { ProgressListener, RecordKind, RecordKinds, Source, SourceError } from "@tikflow/core"
import { TikTokClient } from "../client/tiktok-client.js"
import { booleanOf, cursorOf, dataOf, decodeOrError, listOf } from "../decode/field-decoders.js"
import { harvestIdOf } from "../harvest/harvest-id.js"
import { keyedPages } from "../harvest/keyed-pages.js"
import type { KeyPage } from "../harvest/keyed-pages.js"
import type { CommonSourceOptions } from "./source-options.js"
import { maxCountOf, nonEmptyNames, policyOf } from "./source-options.js"

/** How one per-user list endpoint (followers, liked videos, …) is called and read. */
export interface UserListSpec<K extends RecordKind> {
  readonly kind: K
  readonly stream: string
  readonly endpoint: string
  readonly fields: ReadonlyArray<string>
  /** Where the list sits in `data`; real responses and the spec disagree, so several keys. */
  readonly listKeys: ReadonlyArray<string>
  readonly decode: (item: unknown, path: string, username: string) => RecordKinds[K]
}

/**
 * A harvest over several users' lists, one user after the other, timestamp/offset cursor as the API
 * returns it. A user whose list the API refuses (private or unknown account: `InvalidRequestError`)
 * is skipped with a `user-error` event; the harvest goes on.
 */
export const userListSource = <K extends RecordKind>(
  spec: UserListSpec<K>,
  options: CommonSourceOptions & { readonly usernames: ReadonlyArray<string> }
): Source<K, TikTokClient> => {
  const usernames = nonEmptyNames("usernames", options.usernames)
  const maxCount = maxCountOf(options)
  return {
    kind: spec.kind,
    stream: spec.stream,
    harvestId: harvestIdOf(spec.stream, { endpoint: spec.endpoint, usernames, fields: spec.fields, maxCount }),
    pages: (run = {}) =>
      Stream.unwrap(Effect.map(TikTokClient, (client) => {
        const retry = policyOf(options, client.retry)
        const emit: ProgressListener = (event) => {
          client.emit(event)
          run.onProgress?.(event)
        }
        return keyedPages(usernames, run.resumeFrom, (username, cursor) =>
          client.call({
            endpoint: spec.endpoint,
            fields: spec.fields,
            body: { username, max_count: maxCount, ...(cursor === null ? {} : { cursor }) },
            retry,
            onProgress: run.onProgress
          }).pipe(
            Effect.flatMap((body): Effect.Effect<KeyPage<RecordKinds[K]>, SourceError> => {
              const page = decodeOrError(spec.endpoint, () => {
                const data = dataOf(body)
                const { key, items } = listOf(data, spec.listKeys)
                const records = items.map((item, i) => spec.decode(item, `data.${key}[${i}]`, username))
                const hasMore = booleanOf(data, "has_more")
                const next = cursorOf(data)
                // No cursor to send back means nothing more can be asked for.
                return { records, next: hasMore && next !== null && next !== cursor ? next : null }
              })
              if (page instanceof Error) return Effect.fail(page)
              emit({ type: "page", endpoint: spec.endpoint, records: page.records.length, hasMore: page.next !== null })
              return Effect.succeed(page)
            }),
            Effect.catchTag("InvalidRequestError", (error) => {
              emit({ type: "user-error", endpoint: spec.endpoint, username, code: error.code })
              return Effect.succeed({ records: [], next: null })
            })
          )
        )
      }))
  }
}
