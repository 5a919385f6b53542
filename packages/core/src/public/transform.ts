/**
 * Transforms: stateful stages described as plain values, run the same way in a pipeline
 * (`pipeline.through(t)`), on an Effect `Stream` (`Transform.apply`) or as an RxJS operator
 * (`Rx.through`). Stream combinators are dual: `Transform.batch(stream, 100, "1 second")` or
 * `stream.pipe(Transform.batch(100, "1 second"))`.
 */
import type { Context, Duration } from "effect"
import * as Stream from "effect/Stream"
import { dual } from "effect/Function"
import { asStream } from "../transform/as-stream.js"
import { batch as batchStream } from "../transform/batch/batch.js"
import type { JoinStateOverflowError } from "../transform/join/join-errors.js"
import type { StreamJoinOptions } from "../transform/join/stream-join-state.js"
import { joinStreams } from "../transform/join/stream-join.js"
import { provideTransform } from "../transform/provide-transform.js"
import type { Transform, TransformContext } from "../transform/transform.js"

export type { StageStats, Transform, TransformContext as Context, TransformStep as Step } from "../transform/transform.js"
// Dedupe: by primary key, in memory or on disk, keeping the first, the last or a merge.
export { dedupe } from "../transform/dedupe/dedupe.js"
export type { DedupeError, DedupeOptions, KeepPolicy } from "../transform/dedupe/dedupe.js"
export { DedupeCapacityError, DedupeStoreError } from "../transform/dedupe/dedupe-errors.js"
export { DEFAULT_MEMORY_MAX_KEYS, DEFAULT_PERSISTENT_MAX_KEYS, memoryKeys, persistentKeys } from "../transform/dedupe/key-store.js"
export type { KeyStoreSpec, MemoryKeyStoreSpec, PersistentKeyStoreSpec } from "../transform/dedupe/key-store.js"
// Lookup join: enrich each record from a batched, cached lookup.
export { enrichAs, lookupJoin } from "../transform/join/lookup-join.js"
export type { LookupJoinOptions, MissPolicy } from "../transform/join/lookup-join.js"
export { lookupFrom, lookupFromSource } from "../transform/join/lookup.js"
export type { Lookup } from "../transform/join/lookup.js"
export { JoinStateOverflowError, LookupMissError } from "../transform/join/join-errors.js"
export type { StreamJoinOptions as JoinOptions, StreamJoinType as JoinType } from "../transform/join/stream-join-state.js"

/** Runs a transform on an Effect stream, each chunk one batch: `Transform.apply(stream, t)` or `stream.pipe(Transform.apply(t))`. */
export const apply: {
  <A, B, E, R>(transform: Transform<A, B, E, R>, context?: Partial<TransformContext>): <E0, R0>(
    self: Stream.Stream<A, E0, R0>
  ) => Stream.Stream<B, E | E0, R | R0>
  <A, E0, R0, B, E, R>(
    self: Stream.Stream<A, E0, R0>,
    transform: Transform<A, B, E, R>,
    context?: Partial<TransformContext>
  ): Stream.Stream<B, E | E0, R | R0>
} = dual(
  (args) => Stream.isStream(args[0]),
  <A, E0, R0, B, E, R>(self: Stream.Stream<A, E0, R0>, transform: Transform<A, B, E, R>, context?: Partial<TransformContext>) =>
    asStream(transform, context)(self)
)

/** Groups of at most `size`, emitted when full or `within` after a group's first record. */
export const batch: {
  (size: number, within: Duration.Input): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<Array<A>, E, R>
  <A, E, R>(self: Stream.Stream<A, E, R>, size: number, within: Duration.Input): Stream.Stream<Array<A>, E, R>
} = dual(3, <A, E, R>(self: Stream.Stream<A, E, R>, size: number, within: Duration.Input) => batchStream(size, within)(self))

/** Keyed stream-stream join with bounded state: `Transform.join(left, right, options)` or `left.pipe(Transform.join(right, options))`. */
export const join: {
  <L, R, Out, ER, RR>(right: Stream.Stream<R, ER, RR>, options: StreamJoinOptions<L, R, Out>): <EL, RL>(
    left: Stream.Stream<L, EL, RL>
  ) => Stream.Stream<Out, EL | ER | JoinStateOverflowError, RL | RR>
  <L, EL, RL, R, Out, ER, RR>(
    left: Stream.Stream<L, EL, RL>,
    right: Stream.Stream<R, ER, RR>,
    options: StreamJoinOptions<L, R, Out>
  ): Stream.Stream<Out, EL | ER | JoinStateOverflowError, RL | RR>
} = dual(3, joinStreams)

/** Gives a transform the services it needs: `Transform.provide(t, context)` or `Transform.provide(context)(t)`. */
export const provide: {
  <R>(context: Context.Context<R>): <A, B, E>(self: Transform<A, B, E, R>) => Transform<A, B, E>
  <A, B, E, R>(self: Transform<A, B, E, R>, context: Context.Context<R>): Transform<A, B, E>
} = dual(2, provideTransform)
