import type { Effect } from "effect"
import type { Pipeable } from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"
import type { RecordKind, RecordKinds } from "../records/record-kind.js"
import type { BoundSink } from "../sink/sink-plugin.js"
import type { Source } from "../source/source.js"
import type { Transform } from "../transform/transform.js"
import type { PipelineSummary } from "./pipeline-summary.js"
import type { PipelineRunOptions } from "./run-options.js"
import type { PipelineError } from "./run-pipeline.js"
import { toPromise } from "../interop/to-promise.js"
import { runPipelineSpec } from "./run-pipeline.js"

/**
 * A source and its stages, before sinks are chosen. `A` is what the last stage emits. `pipe` is
 * Effect's: `pipeline(source).pipe(Pipeline.through(dedupe()), Pipeline.to(sink), Pipeline.run())`.
 */
export interface Pipeline<A, E, R> extends Pipeable {
  readonly [PipelineTypeId]: typeof PipelineTypeId
  readonly source: Source<RecordKind, R>
  readonly stages: ReadonlyArray<Transform<any, any, any, any>>
  through<B, E1, R1>(t1: Transform<A, B, E1, R1>): Pipeline<B, E | E1, R | R1>
  through<B, C, E1, R1, E2, R2>(t1: Transform<A, B, E1, R1>, t2: Transform<B, C, E2, R2>): Pipeline<C, E | E1 | E2, R | R1 | R2>
  through<B, C, D, E1, R1, E2, R2, E3, R3>(
    t1: Transform<A, B, E1, R1>,
    t2: Transform<B, C, E2, R2>,
    t3: Transform<C, D, E3, R3>
  ): Pipeline<D, E | E1 | E2 | E3, R | R1 | R2 | R3>
  through<B, C, D, F, E1, R1, E2, R2, E3, R3, E4, R4>(
    t1: Transform<A, B, E1, R1>,
    t2: Transform<B, C, E2, R2>,
    t3: Transform<C, D, E3, R3>,
    t4: Transform<D, F, E4, R4>
  ): Pipeline<F, E | E1 | E2 | E3 | E4, R | R1 | R2 | R3 | R4>
  /** Every sink receives every output record. */
  to(...sinks: ReadonlyArray<BoundSink>): RunnablePipeline<A, E, R>
}

/** A complete pipeline: `run` it as an Effect or with `runPipeline` as a Promise. */
export interface RunnablePipeline<A, E, R> extends Pipeable {
  readonly [RunnableTypeId]: typeof RunnableTypeId
  readonly source: Source<RecordKind, R>
  readonly stages: ReadonlyArray<Transform<any, any, any, any>>
  readonly sinks: ReadonlyArray<BoundSink>
  /** Phantom: the record type the sinks receive. */
  readonly _output?: A
  run(options?: PipelineRunOptions): Effect.Effect<PipelineSummary, PipelineError | E, R>
}

export const PipelineTypeId: unique symbol = Symbol.for("@tikflow/core/Pipeline")
export const RunnableTypeId: unique symbol = Symbol.for("@tikflow/core/RunnablePipeline")

export const isPipeline = (u: unknown): u is Pipeline<unknown, unknown, unknown> =>
  typeof u === "object" && u !== null && PipelineTypeId in u
export const isRunnablePipeline = (u: unknown): u is RunnablePipeline<unknown, unknown, unknown> =>
  typeof u === "object" && u !== null && RunnableTypeId in u

function pipe(this: unknown) {
  return pipeArguments(this, arguments)
}

const make = <A, E, R>(
  source: Source<RecordKind, R>,
  stages: ReadonlyArray<Transform<any, any, any, any>>
): Pipeline<A, E, R> => ({
  [PipelineTypeId]: PipelineTypeId,
  source,
  stages,
  through: (...more: ReadonlyArray<Transform<any, any, any, any>>) => make(source, [...stages, ...more]),
  to: (...sinks: ReadonlyArray<BoundSink>): RunnablePipeline<A, E, R> => ({
    [RunnableTypeId]: RunnableTypeId,
    source,
    stages,
    sinks,
    run: (options) => runPipelineSpec<E, R>({ source, stages, sinks }, options),
    pipe
  }),
  pipe
} as unknown as Pipeline<A, E, R>)

/**
 * Starts a pipeline: `pipeline(source).through(dedupe(), lookupJoin(…)).to(sink1, sink2).run()`.
 * Stages without a key default to the source kind's primary key.
 */
export const pipeline = <K extends RecordKind, R>(source: Source<K, R>): Pipeline<RecordKinds[K], never, R> =>
  make(source as unknown as Source<RecordKind, R>, [])

/** Runs a pipeline outside Effect. Rejects with the typed error (`SinkError`, …) itself. */
export const runPipeline = <A, E>(
  runnable: RunnablePipeline<A, E, never>,
  options?: PipelineRunOptions
): Promise<PipelineSummary> => toPromise(runnable.run(options))
