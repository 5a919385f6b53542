import * as path from "node:path"
import * as Effect from "effect/Effect"
import { ConfigError } from "../../errors/config-error.js"
import type { RecordKind } from "../../records/record-kind.js"
import { recordKinds } from "../../records/record-kind.js"
import { StageCounter } from "../stage-counter.js"
import type { Transform, TransformContext, TransformStep } from "../transform.js"
import type { DedupeCapacityError, DedupeStoreError } from "./dedupe-errors.js"
import type { KeyStore, KeyStoreSpec } from "./key-store.js"
import { DEFAULT_MEMORY_MAX_KEYS, DEFAULT_PERSISTENT_MAX_KEYS } from "./key-store.js"
import { capacityError, makeMemoryKeyStore } from "./memory-key-store.js"
import { openPersistentKeyStore } from "./persistent-key-store.js"

/**
 * Which record survives for a key.
 * - `first`: the first occurrence, emitted as soon as it is seen (streaming).
 * - `{ last: field }`: the occurrence with the greatest `field` (null lowest; on a tie the later
 *   one). Which one that is can only be known when the input ends, so records are held and
 *   emitted at the end, each at the position of its key's first occurrence. Under the pipeline
 *   that means no checkpoint until the end (see `TransformStep.held`).
 * - `{ merge }`: folds every occurrence into one, `merge(kept, next)`; also emitted at the end.
 */
export type KeepPolicy<A> = "first" | { readonly last: keyof A & string } | { readonly merge: (kept: A, next: A) => A }

export interface DedupeOptions<A> {
  /** Stage name in summaries and the persistent store's directory. Default `dedupe`. */
  readonly name?: string | undefined
  /** Key by this record kind's primary key (the pipeline passes its source's kind by default). */
  readonly kind?: RecordKind | undefined
  /** Key function; wins over `kind`. */
  readonly key?: ((record: A) => string) | undefined
  readonly keep?: KeepPolicy<A> | undefined
  /** Default `memoryKeys()`. `persistentKeys(dir)` supports `keep: "first"` only. */
  readonly store?: KeyStoreSpec | undefined
}

export type DedupeError = DedupeCapacityError | DedupeStoreError | ConfigError

const keyFunction = <A>(options: DedupeOptions<A>, context: TransformContext): ((record: A) => string) | undefined => {
  if (options.key !== undefined) return options.key
  const kind = options.kind ?? context.recordKind
  if (kind === undefined) return undefined
  return recordKinds[kind].keyOf as unknown as (record: A) => string
}

const isGreaterOrEqual = (next: unknown, kept: unknown): boolean => {
  if (next === null || next === undefined) return kept === null || kept === undefined
  if (kept === null || kept === undefined) return true
  return (next as number) >= (kept as number)
}

/**
 * Drops records whose key was seen before. Output: the distinct records by key, in order of each
 * key's first occurrence, each chosen by the keep policy. `stats().duplicates` counts the drops.
 */
export const dedupe = <A>(options: DedupeOptions<A> = {}): Transform<A, A, DedupeError> => {
  const name = options.name ?? "dedupe"
  const keep = options.keep ?? "first"
  return {
    name,
    open: (context) =>
      Effect.gen(function*() {
        const keyOf = keyFunction(options, context)
        if (keyOf === undefined) {
          return yield* ConfigError.make(`${name}.key`, "a key function or a record kind (kind: \"video\", …)")
        }
        const spec = options.store ?? { type: "memory" }
        const counter = new StageCounter()

        if (keep !== "first") {
          if (spec.type === "persistent") {
            return yield* ConfigError.make(`${name}.keep`, "\"first\" with a persistent store", Object.keys(keep)[0])
          }
          return heldDedupe(keyOf, keep, spec.maxKeys ?? DEFAULT_MEMORY_MAX_KEYS, counter)
        }

        let store: KeyStore
        let standaloneEpoch = 0
        if (spec.type === "memory") {
          store = makeMemoryKeyStore(spec.maxKeys ?? DEFAULT_MEMORY_MAX_KEYS)
        } else {
          const persistent = yield* openPersistentKeyStore({
            dir: path.join(spec.dir, context.harvestId ?? "standalone", name),
            maxKeys: spec.maxKeys ?? DEFAULT_PERSISTENT_MAX_KEYS,
            resumeEpoch: context.resume?.epoch,
            keepAll: !context.epochs
          })
          store = persistent
          standaloneEpoch = persistent.nextEpoch
          if (!context.epochs) {
            // No runner calls commit: persist on the way out, whatever the exit.
            yield* Effect.addFinalizer(() => Effect.ignore(persistent.commit(standaloneEpoch)))
          }
        }

        const step: TransformStep<A, A, DedupeError> = {
          process: (records) =>
            Effect.suspend(() => {
              const out: Array<A> = []
              for (const record of records) {
                const added = store.add(keyOf(record))
                if (added === true) out.push(record)
                else if (added === false) counter.duplicates++
                else return Effect.fail(added)
              }
              counter.recordsIn += records.length
              counter.recordsOut += out.length
              return Effect.succeed(out)
            }),
          end: context.epochs || spec.type === "memory"
            ? Effect.succeed([])
            : Effect.as(store.commit(standaloneEpoch), []),
          held: () => 0,
          commit: (epoch) => store.commit(epoch),
          stats: () => counter.snapshot()
        }
        return step
      })
  }
}

/** keep last / merge: one slot per key in first-occurrence order, emitted when the input ends. */
const heldDedupe = <A>(
  keyOf: (record: A) => string,
  keep: Exclude<KeepPolicy<A>, "first">,
  maxKeys: number,
  counter: StageCounter
): TransformStep<A, A, DedupeError> => {
  const slotOf = new Map<string, number>()
  const kept: Array<A> = []
  let held = 0
  const choose = "merge" in keep
    ? keep.merge
    : (current: A, next: A) =>
      isGreaterOrEqual((next as Record<string, unknown>)[keep.last], (current as Record<string, unknown>)[keep.last]) ? next : current
  return {
    process: (records) =>
      Effect.suspend(() => {
        for (const record of records) {
          const key = keyOf(record)
          const slot = slotOf.get(key)
          if (slot === undefined) {
            if (slotOf.size >= maxKeys) {
              return Effect.fail(capacityError(maxKeys, "memory"))
            }
            slotOf.set(key, kept.length)
            kept.push(record)
          } else {
            kept[slot] = choose(kept[slot], record)
            counter.duplicates++
          }
        }
        counter.recordsIn += records.length
        held += records.length
        return Effect.succeed([])
      }),
    end: Effect.sync(() => {
      const out = kept.slice()
      kept.length = 0
      slotOf.clear()
      held = 0
      counter.recordsOut += out.length
      return out
    }),
    held: () => held,
    commit: () => Effect.void,
    stats: () => counter.snapshot()
  }
}
