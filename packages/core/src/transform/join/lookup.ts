import type { Effect } from "effect"
import * as Stream from "effect/Stream"
import type { SourceError } from "../../errors/api-errors.js"
import type { RecordKind, RecordKinds } from "../../records/record-kind.js"
import { recordKinds } from "../../records/record-kind.js"
import type { Source } from "../../source/source.js"

/** Where a lookup join finds the values for a batch of keys. */
export interface Lookup<L, E = never, R = never> {
  /** Values for some of `keys`; a key with no value is a miss. */
  readonly fetch: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<L>, E, R>
  /** The key a fetched value answers. */
  readonly keyOf: (value: L) => string
}

export const lookupFrom = <L, E = never, R = never>(
  fetch: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<L>, E, R>,
  keyOf: (value: L) => string
): Lookup<L, E, R> => ({ fetch, keyOf })

/**
 * A lookup answered by running a source per batch of keys, e.g. user info for a batch of
 * usernames: `lookupFromSource("user_info", (usernames) => userInfo({ usernames }))`. Values are
 * keyed by the kind's primary key.
 */
export const lookupFromSource = <K extends RecordKind, Env>(
  kind: K,
  makeSource: (keys: ReadonlyArray<string>) => Source<K, Env>
): Lookup<RecordKinds[K], SourceError, Env> => ({
  fetch: (keys) =>
    Stream.runFold(makeSource(keys).pages(), () => [] as Array<RecordKinds[K]>, (all, page) => {
      for (const record of page.records) all.push(record)
      return all
    }),
  keyOf: recordKinds[kind].keyOf as (value: RecordKinds[K]) => string
})
