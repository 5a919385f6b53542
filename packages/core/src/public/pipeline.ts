/**
 * Pipelines: a source, its transforms, its sinks, run in epochs with checkpoints.
 *
 * ```ts
 * Pipeline.make(source).through(Transform.dedupe()).to(sink).run({ checkpoints })
 * // or, data-last:
 * Pipeline.make(source).pipe(Pipeline.through(Transform.dedupe()), Pipeline.to(sink), Pipeline.run({ checkpoints }))
 * ```
 */
import type { Effect } from "effect"
import { dual } from "effect/Function"
import type { BoundSink } from "../sink/sink-plugin.js"
import type { Transform } from "../transform/transform.js"
import type { Pipeline, RunnablePipeline } from "../pipeline/pipeline.js"
import { isPipeline, isRunnablePipeline, pipeline, runPipeline } from "../pipeline/pipeline.js"
import type { PipelineSummary } from "../pipeline/pipeline-summary.js"
import type { PipelineRunOptions } from "../pipeline/run-options.js"
import type { PipelineError } from "../pipeline/run-pipeline.js"

export type { Pipeline, RunnablePipeline as Runnable } from "../pipeline/pipeline.js"
export type { PipelineSummary as Summary, SinkSummary, StageSummary } from "../pipeline/pipeline-summary.js"
export type { PipelineRunOptions as RunOptions } from "../pipeline/run-options.js"
export type { ChangesJournal, SinkChanges } from "../pipeline/changes-journal.js"
export type { PipelineError } from "../pipeline/run-pipeline.js"
export { isPipeline, isRunnablePipeline as isRunnable }

/** Starts a pipeline from a source. Stages without a key default to the source kind's primary key. */
export const make = pipeline

/** Adds a stage: `Pipeline.through(self, t)` or `self.pipe(Pipeline.through(t))`. */
export const through: {
  <A, B, E1, R1>(transform: Transform<A, B, E1, R1>): <E, R>(self: Pipeline<A, E, R>) => Pipeline<B, E | E1, R | R1>
  <A, E, R, B, E1, R1>(self: Pipeline<A, E, R>, transform: Transform<A, B, E1, R1>): Pipeline<B, E | E1, R | R1>
} = dual(2, <A, E, R, B, E1, R1>(self: Pipeline<A, E, R>, transform: Transform<A, B, E1, R1>) => self.through(transform))

/** Chooses the sinks (every sink receives every output record): `Pipeline.to(self, ...sinks)` or `Pipeline.to(...sinks)`. */
export const to: {
  (...sinks: ReadonlyArray<BoundSink>): <A, E, R>(self: Pipeline<A, E, R>) => RunnablePipeline<A, E, R>
  <A, E, R>(self: Pipeline<A, E, R>, ...sinks: ReadonlyArray<BoundSink>): RunnablePipeline<A, E, R>
} = dual(
  (args) => isPipeline(args[0]),
  <A, E, R>(self: Pipeline<A, E, R>, ...sinks: ReadonlyArray<BoundSink>) => self.to(...sinks)
)

/** The run as an Effect: `Pipeline.run(self, options)` or `self.pipe(Pipeline.run(options))`. */
export const run: {
  (options?: PipelineRunOptions): <A, E, R>(self: RunnablePipeline<A, E, R>) => Effect.Effect<PipelineSummary, PipelineError | E, R>
  <A, E, R>(self: RunnablePipeline<A, E, R>, options?: PipelineRunOptions): Effect.Effect<PipelineSummary, PipelineError | E, R>
} = dual(
  (args) => isRunnablePipeline(args[0]),
  <A, E, R>(self: RunnablePipeline<A, E, R>, options?: PipelineRunOptions) => self.run(options)
)

/** Runs a pipeline that needs no Effect services, as a Promise rejecting with the typed error itself. */
export const runPromise = runPipeline
