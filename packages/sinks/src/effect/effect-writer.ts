import type { AnyRecord, BoundSink, CheckpointStore, SinkBatch, SinkCommit, SinkWriter, StreamContext } from "@tikflow/core/internal"
import type { SinkError } from "@tikflow/core/internal"
import { sinkStepEffect } from "@tikflow/core/internal"
import * as Effect from "effect/Effect"
import * as Sink from "effect/Sink"
import type { Scope } from "effect"

/** A sink writer whose steps are Effects failing with `SinkError`. */
export interface EffectSinkWriter<R = AnyRecord> {
  readonly write: (batch: SinkBatch<R>) => Effect.Effect<void, SinkError>
  readonly flush: (commit: SinkCommit) => Effect.Effect<void, SinkError>
  readonly close: Effect.Effect<void, SinkError>
  readonly checkpoints: CheckpointStore | undefined
}



/** Wraps a promise-based writer (any plugin's) so each step is an Effect failing with `SinkError`. */
export const toEffectWriter = <R = AnyRecord>(writer: SinkWriter<R>, sink: string): EffectSinkWriter<R> => ({
  write: (batch) => sinkStepEffect(sink, "write", () => writer.write(batch)),
  flush: (commit) => sinkStepEffect(sink, "flush", () => writer.flush(commit)),
  close: sinkStepEffect(sink, "close", () => writer.close()),
  checkpoints: writer.checkpoints
})

/**
 * An effect `Sink` consuming batches into a writer. It does not flush: epochs and checkpoints are
 * the runner's, so pair it with `flush` at each epoch boundary (or use `toEffectWriter`).
 */
export const toEffectSink = <R = AnyRecord>(writer: SinkWriter<R>, sink: string): Sink.Sink<void, SinkBatch<R>, never, SinkError> => {
  const effectWriter = toEffectWriter(writer, sink)
  return Sink.forEach((batch: SinkBatch<R>) => effectWriter.write(batch))
}

/** Opens a bound sink for one stream as a scoped resource: closed when the scope ends. */
export const openEffectWriter = (
  bound: BoundSink,
  context: StreamContext
): Effect.Effect<EffectSinkWriter, SinkError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.map(sinkStepEffect(bound.name, "open", () => bound.open(context)), (writer) => toEffectWriter(writer, bound.name)),
    (writer) => Effect.ignore(writer.close)
  )
