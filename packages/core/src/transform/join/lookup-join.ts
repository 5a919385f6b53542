import * as Effect from "effect/Effect"
import { StageCounter } from "../stage-counter.js"
import type { Transform, TransformStep } from "../transform.js"
import { LookupMissError } from "./join-errors.js"
import type { Lookup } from "./lookup.js"
import { LruCache } from "./lru-cache.js"

/**
 * What happens to a record whose key has no value (or that has no key):
 * `drop` it, `keep` it with `null` as the match, or `fail` with `LookupMissError`.
 */
export type MissPolicy = "drop" | "keep" | "fail"

export interface LookupJoinOptions<A, L, Out, E, R> {
  /** Stage name in summaries. Default `lookup-join`. */
  readonly name?: string | undefined
  /** The key to look up for a record; `null` (no key) counts as a miss. */
  readonly key: (record: A) => string | null
  readonly lookup: Lookup<L, E, R>
  /** Builds the output from a record and its match (`null` on a kept miss). See `enrichAs`. */
  readonly combine: (record: A, match: L | null) => Out
  /**
   * The fields `combine` adds to each record, so sinks with fixed columns store them. Default: what
   * `enrichAs` declares; a custom `combine` that adds fields must list them here.
   */
  readonly addsFields?: ReadonlyArray<string> | undefined
  /** Default `keep`. */
  readonly onMiss?: MissPolicy | undefined
  /** Most keys per `fetch`. Default 100. */
  readonly batchSize?: number | undefined
  /** Most `fetch`es in flight. Default 4. */
  readonly concurrency?: number | undefined
  /** Keys (hits and misses) remembered across batches, least recently used evicted. Default 10,000. */
  readonly cacheSize?: number | undefined
}

/**
 * A `combine` that adds the match as one field: `enrichAs("author")` → `{ ...video, author }`. It
 * declares the field (`addsFields`), so `lookupJoin` tells the sinks about it.
 */
export const enrichAs = <const F extends string>(field: F) =>
  Object.assign(
    <A, L>(record: A, match: L | null): A & { readonly [P in F]: L | null } =>
      ({ ...record, [field]: match }) as A & { readonly [P in F]: L | null },
    { addsFields: [field] as ReadonlyArray<string> }
  )

const declaredFields = (combine: unknown): ReadonlyArray<string> | undefined =>
  (combine as { readonly addsFields?: ReadonlyArray<string> }).addsFields

/**
 * Enriches each record with a value looked up by its key. Per batch, the distinct keys not in the
 * cache are fetched in groups of `batchSize`, at most `concurrency` at a time; output keeps input
 * order. Misses are cached too, so a key is fetched once while it stays in the cache.
 */
export const lookupJoin = <A, L, Out, E = never, R = never>(
  options: LookupJoinOptions<A, L, Out, E, R>
): Transform<A, Out, E | LookupMissError, R> => {
  const name = options.name ?? "lookup-join"
  const onMiss = options.onMiss ?? "keep"
  const batchSize = Math.max(1, options.batchSize ?? 100)
  const concurrency = Math.max(1, options.concurrency ?? 4)
  return {
    name,
    addsFields: options.addsFields ?? declaredFields(options.combine),
    open: () =>
      Effect.sync(() => {
        const counter = new StageCounter()
        const cache = new LruCache<string, L | null>(options.cacheSize ?? 10_000)
        const step: TransformStep<A, Out, E | LookupMissError, R> = {
          process: (records) =>
            Effect.gen(function*() {
              const keys = records.map(options.key)
              // Resolve this batch's keys locally: the cache may evict while we fill it.
              const resolved = new Map<string, L | null>()
              const wanted: Array<string> = []
              for (const key of keys) {
                if (key === null || resolved.has(key)) continue
                if (cache.has(key)) resolved.set(key, cache.get(key) as L | null)
                else {
                  resolved.set(key, null)
                  wanted.push(key)
                }
              }
              const groups: Array<Array<string>> = []
              for (let i = 0; i < wanted.length; i += batchSize) groups.push(wanted.slice(i, i + batchSize))
              const fetched = yield* Effect.forEach(groups, options.lookup.fetch, { concurrency })
              for (const values of fetched) {
                for (const value of values) {
                  const key = options.lookup.keyOf(value)
                  if (resolved.has(key)) resolved.set(key, value)
                }
              }
              for (const key of wanted) cache.set(key, resolved.get(key) ?? null)

              const out: Array<Out> = []
              for (let i = 0; i < records.length; i++) {
                const key = keys[i]
                const match = key === null ? null : resolved.get(key) ?? null
                if (match === null) {
                  if (onMiss === "drop") {
                    counter.dropped++
                    continue
                  }
                  if (onMiss === "fail") {
                    return yield* new LookupMissError({
                      stage: name,
                      key,
                      message: key === null
                        ? `${name}: a record has no key to look up`
                        : `${name}: nothing found for key ${JSON.stringify(key)}`
                    })
                  }
                }
                out.push(options.combine(records[i], match))
              }
              counter.recordsIn += records.length
              counter.recordsOut += out.length
              return out
            }),
          end: Effect.succeed([]),
          held: () => 0,
          commit: () => Effect.void,
          stats: () => counter.snapshot()
        }
        return step
      })
  }
}
