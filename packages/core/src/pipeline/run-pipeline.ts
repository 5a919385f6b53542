import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Channel from "effect/Channel"
import * as Stream from "effect/Stream"
import type { Checkpoint } from "../checkpoint/checkpoint-store.js"
import type { SourceError } from "../errors/api-errors.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { StoreBehindError } from "../errors/store-behind-error.js"
import type { RecordKind } from "../records/record-kind.js"
import { recordKinds } from "../records/record-kind.js"
import type { BoundSink, SinkLogger, StreamContext } from "../sink/sink-plugin.js"
import type { Source } from "../source/source.js"
import type { Transform } from "../transform/transform.js"
import { openResponseArchive } from "../archive/archive-writer.js"
import { sinkStepEffect } from "../errors/to-sink-error.js"
import { checkpointStep } from "./checkpoint-stores.js"
import { makeEpochWriter } from "./epoch-writer.js"
import type { PipelineSummary } from "./pipeline-summary.js"
import { summaryOf } from "./pipeline-summary.js"
import { progressRelay } from "./progress-relay.js"
import { readLoop } from "./read-loop.js"
import { openAtResumePoint } from "./resume-point.js"
import type { PipelineRunOptions } from "./run-options.js"
import { linkedAbort } from "./run-signal.js"
import { closeAll } from "./sink-set.js"
import { openStages } from "./stage-chain.js"

export type PipelineError = SourceError | SinkError | CheckpointError | StoreBehindError

/** Everything the runner needs; built by `pipeline(source).through(…).to(…)`. */
export interface PipelineSpec<Env> {
  readonly source: Source<RecordKind, Env>
  readonly stages: ReadonlyArray<Transform<any, any, any, any>>
  readonly sinks: ReadonlyArray<BoundSink>
}

/** The run's raw archive, closed with the run's scope. */
const openArchive = (dir: string, context: Parameters<typeof openResponseArchive>[1]) =>
  Effect.acquireRelease(
    sinkStepEffect(`archive:${dir}`, "open", () => openResponseArchive(dir, context)),
    (archive) => Effect.promise(() => archive.close().catch(() => undefined))
  )

const silentLogger: SinkLogger = { debug() {}, info() {}, warn() {}, error() {} }

/** The fields the stages add to every record, in order, each once: what sinks must store besides the kind's. */
const addedFieldsOf = (stages: ReadonlyArray<Transform<any, any, any, any>>): ReadonlyArray<string> => [
  ...new Set(stages.flatMap((stage) => stage.addsFields ?? []))
]

/** What every sink is opened with, resuming after `checkpoint` when given. */
const streamContextOf = (
  spec: PipelineSpec<unknown>,
  options: PipelineRunOptions,
  signal: AbortSignal,
  checkpoint: Checkpoint | undefined
): StreamContext => ({
  harvestId: spec.source.harvestId,
  recordKind: spec.source.kind,
  stream: spec.source.stream,
  primaryKey: recordKinds[spec.source.kind].primaryKey,
  addedFields: addedFieldsOf(spec.stages),
  logger: options.logger ?? silentLogger,
  signal,
  resume: checkpoint === undefined ? undefined : { epoch: checkpoint.epoch },
  stateDir: options.stateDir,
  provenance: options.provenance !== false,
  ...(options.provisional === undefined ? {} : { provisional: options.provisional })
})

/**
 * The source's pull in the current scope, as it is: `Stream.toPull` wraps every pull in a
 * semaphore (for readers pulling from several fibers at once) and the context it was made in,
 * 7 of the ~57 Effect steps a page took. The read loop needs neither: it pulls one page at a
 * time, in a child fiber that has that context already (it runs in the same scope).
 */
const pullOf = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.flatMap(Effect.scope, (scope) => Channel.toPullScoped(Stream.toChannel(stream), scope))

/**
 * Runs a pipeline: source pages → stages (page by page) → every sink, in epochs. An epoch ends
 * when it holds `epochMaxRecords` output records or is `epochMaxMs` old (even while the source
 * is waiting for its next page) and no stage holds records back; then every stage commits its state, every sink flushes, and only
 * then is the checkpoint (the state after the epoch's last page) saved. When every sink declares
 * `writesDuringFlush`, the next epoch's pages are delivered while that flush runs (one commit in
 * flight at most; its failure fails the run and nothing of the next epoch is committed). A crash at any point
 * resumes from the last saved checkpoint with sinks told to drop later epochs: exactly once.
 *
 * Aborting `options.signal` stops reading (a page in flight is abandoned), commits the pages
 * already written, closes the sinks and returns status `interrupted`. Interrupting the fiber, or
 * a typed failure of the source, does the same commit before closing and failing — unless it
 * lands while a page is going through the stages, whose state may already include that page. A
 * failed write, flush or save is never followed by a commit; neither is a defect.
 */
export const runPipelineSpec = <E, R>(
  spec: PipelineSpec<R>,
  options: PipelineRunOptions = {}
): Effect.Effect<PipelineSummary, PipelineError | E, R> =>
  Effect.scoped(Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const { source } = spec
    const { harvestId, kind } = source
    const abort = yield* linkedAbort(options.signal)
    const progress = progressRelay(options.onProgress)

    const { sinks, resumeFrom } = yield* openAtResumePoint({
      sinks: spec.sinks,
      harvestId,
      checkpoints: options.checkpoints,
      fresh: options.fresh === true,
      floor: options.resumeFloor ?? 0,
      contextAt: (checkpoint) => streamContextOf(spec, options, abort.signal, checkpoint)
    })
    const journal = options.changesJournal
    if (journal !== undefined) {
      yield* checkpointStep(harvestId, "load", "reading the changed values held at resume", async () =>
        journal.resumed(resumeFrom?.epoch, sinks.map((entry) => entry.sink.name)))
    }
    const archive = options.archive === undefined ? undefined : yield* openArchive(options.archive, {
      harvestId,
      stream: source.stream,
      resume: resumeFrom === undefined ? undefined : { epoch: resumeFrom.epoch },
      newPass: resumeFrom?.state === undefined || resumeFrom.state === null,
      logger: options.logger
    })
    const stages = yield* openStages<E, R>(spec.stages, { recordKind: kind, harvestId, resumeEpoch: resumeFrom?.epoch })
    const writer = makeEpochWriter<E, R>({
      harvestId,
      sinks,
      stages,
      checkpoints: options.checkpoints,
      resumeFrom,
      epochMaxRecords: Math.max(1, options.epochMaxRecords ?? 50_000),
      epochMaxMs: Math.max(0, options.epochMaxMs ?? 10_000),
      emit: progress.emit,
      provenance: options.provenance !== false,
      archive,
      journal: options.changesJournal,
      now: yield* Clock.clockWith((clock) => Effect.succeed(() => clock.currentTimeMillisUnsafe()))
    })

    const pages = source.pages(
      resumeFrom === undefined ? { onProgress: progress.emit } : { resumeFrom: resumeFrom.state, onProgress: progress.emit }
    )
    const status = yield* Effect.gen(function*() {
      // The source's scope ends with the read loop, before the commit: a request it made ahead of
      // the reader (or its retries, or one waiting on the rate limiter) stops once the reader has
      // stopped, and spends no quota while the sinks commit and close.
      const status = yield* Effect.scoped(Effect.flatMap(pullOf(pages), (pull) => readLoop(pull, writer, abort.signal))).pipe(
        // Interrupted from outside, or the source failed with a typed error (quota spent, API
        // refusal…): commit the pages every sink already has, so a rerun resumes after them, then
        // let finalizers close the sinks. Not while a page is in flight through the stages (see
        // `pageInFlight`), and not after a defect, a bug of unknown extent.
        Effect.onError((cause) => (Cause.hasDies(cause) || writer.pageInFlight() ? Effect.void : Effect.ignore(writer.commit)))
      )
      yield* writer.commit
      return status
      // A commit in flight (pipelined sinks) ends before any sink closes, whatever happened.
    }).pipe(Effect.ensuring(writer.settled))
    yield* closeAll(sinks)

    return summaryOf({
      source,
      status,
      resumeFrom,
      counts: writer.counts(),
      stages: stages.stats(),
      sinks,
      replaces: options.provisional?.replaces,
      retries: progress.retries(),
      durationMs: (yield* Clock.currentTimeMillis) - startedAt
    })
  }))
