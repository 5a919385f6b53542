/**
 * RxJS operators named as verbs, on the very same stages as the Effect forms:
 *
 * ```ts
 * videos$.pipe(Rx.dedupe({ kind: "video" }), Rx.batch(500, 1_000), Rx.writeTo(writer, { harvestId }))
 * ```
 *
 * RxJS has no backpressure: these operators buffer what arrives while they work.
 */
import type { Observable, OperatorFunction } from "rxjs"
import { fromObservable } from "../interop/from-observable.js"
import { rxjs } from "../interop/rxjs-runtime.js"
import { toObservable } from "../interop/to-observable.js"
import type { SinkWriter } from "../sink/sink-plugin.js"
import type { ChangedValues } from "../sink/changed-values.js"
import { changeReasons, changesOf } from "../sink/changed-values.js"
import { asOperator } from "../transform/as-operator.js"
import { batchOperator } from "../transform/batch/batch.js"
import type { DedupeError, DedupeOptions } from "../transform/dedupe/dedupe.js"
import { dedupe as dedupeTransform } from "../transform/dedupe/dedupe.js"
import type { LookupJoinOptions } from "../transform/join/lookup-join.js"
import { lookupJoin as lookupJoinTransform } from "../transform/join/lookup-join.js"
import type { StreamJoinOptions } from "../transform/join/stream-join-state.js"
import { joinObservables } from "../transform/join/stream-join.js"

export { BufferOverflowError } from "../interop/buffer-overflow-error.js"
export type { FromObservableOptions as ToStreamOptions, OverflowPolicy } from "../interop/from-observable.js"
export { StreamInterruptedError } from "../interop/stream-interrupted-error.js"

/** Runs any transform as an operator (values arriving while a batch is processed form the next batch). */
export const through = asOperator

/** Drops records whose key was seen (see `Transform.dedupe`); fails with a `DedupeError` value. */
export const dedupe = <A>(options: DedupeOptions<A> = {}): OperatorFunction<A, A> =>
  asOperator<A, A, DedupeError>(dedupeTransform(options))

/** Enriches each record from a batched, cached lookup (see `Transform.lookupJoin`); the lookup must need no Effect services. */
export const lookupJoin = <A, L, Out, E>(options: LookupJoinOptions<A, L, Out, E, never>): OperatorFunction<A, Out> =>
  asOperator(lookupJoinTransform(options))

/** Groups of at most `size`, emitted when full or `withinMs` after a group's first value. */
export const batch = batchOperator

/** Joins with `right` on keys, with bounded state: `left$.pipe(Rx.joinWith(right$, options))`. */
export const joinWith = <L, R, Out>(right: Observable<R>, options: StreamJoinOptions<L, R, Out>): OperatorFunction<L, Out> =>
(left) => joinObservables(left, right, options)

/** Joins two observables on keys, with bounded state. */
export const join = joinObservables

export interface WriteToOptions {
  /** Named in the checkpoint each `flush` receives. */
  readonly harvestId: string
  /** The epoch of the first batch; default 1 (after a resume: the resumed epoch + 1). */
  readonly firstEpoch?: number | undefined
  /**
   * Called with what the writer said it stored changed (a lone surrogate as U+FFFD, …), once the
   * epoch's flush succeeded. Without it, each is a process warning (`TIKFLOW_VALUES_CHANGED`): a
   * value is never stored changed without a word.
   */
  readonly onChanged?: ((changes: ReadonlyArray<ChangedValues>, epoch: number) => void) | undefined
}

const warnChanged = (changes: ReadonlyArray<ChangedValues>, epoch: number): void =>
  process.emitWarning(
    `epoch ${epoch} stored ${changes.map((change) => `${change.count} ${change.column} value(s) changed (${changeReasons[change.reason] ?? change.reason})`).join(", ")}`,
    { code: "TIKFLOW_VALUES_CHANGED" }
  )

/**
 * Writes each incoming batch to an opened sink writer as one epoch and flushes it, then emits
 * the batch: a value downstream is durable in the sink. Batches are written one at a time, in
 * order. The writer stays open: the caller closes it. What the writer says it stored changed goes to
 * `onChanged`.
 */
export const writeTo = <R>(writer: SinkWriter<R>, options: WriteToOptions) =>
<A extends R>(source: Observable<ReadonlyArray<A>>): Observable<ReadonlyArray<A>> => {
  // RxJS loads on use: importing `@tikflow/core` (every sink plugin does) must not load it.
  const { concatMap, defer } = rxjs()
  return defer(() => {
    let epoch = (options.firstEpoch ?? 1) - 1
    return source.pipe(
      concatMap((records) =>
        defer(async () => {
          epoch++
          const changes = changesOf(await writer.write({ records, epoch }))
          await writer.flush({
            epoch,
            checkpoint: { version: 1, harvestId: options.harvestId, epoch, state: null, updatedAt: new Date().toISOString() }
          })
          if (changes !== undefined) (options.onChanged ?? warnChanged)(changes, epoch)
          return records
        })
      )
    )
  })
}

/** An Effect `Stream` as a cold Observable (each subscription runs the stream; unsubscribing interrupts it). */
export const fromStream = toObservable

/** An Observable as an Effect `Stream`, with a bounded buffer and an overflow policy. */
export const toStream = fromObservable
