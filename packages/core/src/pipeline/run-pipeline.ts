import { Cause, Clock, Effect, Fiber, Pull, Stream } from "effect"
import type { Checkpoint } from "../checkpoint/checkpoint-store.js"
import type { SourceError } from "../errors/api-errors.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { ProgressEvent, ProgressListener } from "../progress/progress-event.js"
import type { RecordKind } from "../records/record-kind.js"
import { recordKinds } from "../records/record-kind.js"
import type { BoundSink, SinkLogger, StreamContext } from "../sink/sink-plugin.js"
import type { Source, SourcePage } from "../source/source.js"
import type { Transform, TransformStep } from "../transform/transform.js"
import { loadFrom, reconcile, saveTo } from "./checkpoint-stores.js"
import type { PipelineSummary } from "./pipeline-summary.js"
import type { PipelineRunOptions } from "./run-options.js"
import type { OpenSink } from "./sink-set.js"
import { closeAll, flushAll, openSinks, writeAll } from "./sink-set.js"

export type PipelineError = SourceError | SinkError | CheckpointError

/** Everything the runner needs; built by `pipeline(source).pipe(…).to(…)`. */
export interface PipelineSpec<Env> {
  readonly source: Source<RecordKind, Env>
  readonly stages: ReadonlyArray<Transform<any, any, any, any>>
  readonly sinks: ReadonlyArray<BoundSink>
}

const silentLogger: SinkLogger = { debug() {}, info() {}, warn() {}, error() {} }

/** The fields the stages add to every record, in order, each once: what sinks must store besides the kind's. */
const addedFieldsOf = (stages: ReadonlyArray<Transform<any, any, any, any>>): ReadonlyArray<string> => [
  ...new Set(stages.flatMap((stage) => stage.addsFields ?? []))
]
const ABORTED = Symbol("aborted")

/**
 * Runs a pipeline: source pages → stages (page by page) → every sink, in epochs. An epoch ends
 * when it holds `epochMaxRecords` output records or is `epochMaxMs` old (even while the source
 * is waiting for its next page) and no stage holds records back; then every stage commits its state, every sink flushes, and only
 * then is the checkpoint (the state after the epoch's last page) saved. A crash at any point
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
    const harvestId = source.harvestId
    const kind = source.kind
    const epochMaxRecords = Math.max(1, options.epochMaxRecords ?? 50_000)
    const epochMaxMs = Math.max(0, options.epochMaxMs ?? 10_000)

    // One controller for the sinks' context and for stopping the read loop.
    const abort = new AbortController()
    const external = options.signal
    const forward = () => abort.abort()
    if (external !== undefined) {
      if (external.aborted) abort.abort()
      else external.addEventListener("abort", forward, { once: true })
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => external?.removeEventListener("abort", forward)))

    const streamContext = (checkpoint: Checkpoint | undefined): StreamContext => ({
      harvestId,
      recordKind: kind,
      stream: source.stream,
      primaryKey: recordKinds[kind].primaryKey,
      addedFields: addedFieldsOf(spec.stages),
      logger: options.logger ?? silentLogger,
      signal: abort.signal,
      resume: checkpoint === undefined ? undefined : { epoch: checkpoint.epoch },
      stateDir: options.stateDir
    })

    // --- resume point -------------------------------------------------------------------------
    const external0 = options.checkpoints !== undefined && options.fresh !== true
      ? yield* loadFrom(options.checkpoints, harvestId)
      : undefined
    let sinks: Array<OpenSink> = []
    yield* Effect.addFinalizer(() => Effect.ignore(closeAll(sinks)))
    sinks = yield* openSinks(spec.sinks, streamContext(external0))
    let resumeFrom: Checkpoint | undefined = undefined
    if (options.fresh !== true) {
      const loaded: Array<Checkpoint | undefined> = options.checkpoints !== undefined ? [external0] : []
      for (const entry of sinks) {
        if (entry.writer.checkpoints !== undefined) loaded.push(yield* loadFrom(entry.writer.checkpoints, harvestId))
      }
      resumeFrom = reconcile(loaded)
    }
    if (resumeFrom?.epoch !== external0?.epoch) {
      // Sinks were opened at the runner store's epoch; a sink's own store says otherwise (it
      // is behind, or the runner has no store): reopen every sink at the reconciled epoch.
      yield* closeAll(sinks)
      sinks = yield* openSinks(spec.sinks, streamContext(resumeFrom))
    }

    // --- stages -------------------------------------------------------------------------------
    const steps: Array<TransformStep<any, any, E, R>> = []
    for (const stage of spec.stages) {
      steps.push(
        yield* (stage as Transform<unknown, unknown, E, R>).open({
          recordKind: kind,
          harvestId,
          resume: resumeFrom === undefined ? undefined : { epoch: resumeFrom.epoch },
          epochs: true
        })
      )
    }
    const runStages = (records: ReadonlyArray<unknown>) =>
      Effect.gen(function*() {
        let current = records
        for (const step of steps) {
          if (current.length === 0) break
          current = yield* step.process(current)
        }
        return current
      })
    /** Input ended: each stage's held records go through the stages after it. */
    const endStages = Effect.gen(function*() {
      let carry: ReadonlyArray<unknown> = []
      for (const step of steps) {
        const processed = carry.length === 0 ? [] : yield* step.process(carry)
        const ended = yield* step.end
        carry = processed.length === 0 ? ended : [...processed, ...ended]
      }
      return carry
    })
    const held = () => steps.some((step) => step.held() > 0)

    // --- progress -----------------------------------------------------------------------------
    let retries = 0
    const userListener = options.onProgress
    const emit: ProgressListener = (event: ProgressEvent) => {
      if (event.type === "retry") retries++
      if (userListener === undefined) return
      try {
        userListener(event)
      } catch {
        // A listener must not break the harvest.
      }
    }

    // --- epochs -------------------------------------------------------------------------------
    let lastEpoch = resumeFrom?.epoch ?? 0
    let state: unknown = resumeFrom?.state
    let epochPages = 0
    let epochRecords = 0
    let epochStartedAt = 0
    let epochsCommitted = 0
    let pages = 0
    let recordsIn = 0
    let recordsOut = 0

    // Set when a write, flush or save failed: what the sinks hold of the open epoch is unknown,
    // so it must never be committed (resume re-delivers it).
    let poisoned = false
    // Set while a page is between the source and the sinks: a stage may already have recorded it
    // (a persistent dedupe its keys), so committing then would make a resumed run skip it.
    let pageInFlight = false
    const commit = Effect.gen(function*() {
      if (poisoned || epochPages === 0 || held()) return
      const epoch = lastEpoch + 1
      const checkpoint: Checkpoint = {
        version: 1,
        harvestId,
        epoch,
        state,
        updatedAt: new Date(yield* Clock.currentTimeMillis).toISOString()
      }
      // Uninterruptible: an interruption waits for the commit in progress rather than leaving
      // some sinks flushed and the checkpoint unsaved.
      yield* Effect.gen(function*() {
        for (const step of steps) yield* step.commit(epoch)
        yield* flushAll(sinks, checkpoint)
        if (options.checkpoints !== undefined) yield* saveTo(options.checkpoints, checkpoint)
      }).pipe(Effect.onError(() => Effect.sync(() => (poisoned = true))), Effect.uninterruptible)
      lastEpoch = epoch
      epochsCommitted++
      epochPages = 0
      epochRecords = 0
      emit({ type: "checkpoint", harvestId, epoch })
    })

    const writePage = (records: ReadonlyArray<unknown>, pageState: unknown) =>
      Effect.gen(function*() {
        if (epochPages === 0) epochStartedAt = yield* Clock.currentTimeMillis
        yield* writeAll(sinks, records, lastEpoch + 1).pipe(Effect.onError(() => Effect.sync(() => (poisoned = true))))
        state = pageState
        epochPages++
        epochRecords += records.length
        recordsOut += records.length
        if (records.length > 0) emit({ type: "records-out", stage: "sinks", records: records.length })
      })

    // --- the read loop ------------------------------------------------------------------------
    const pull = yield* Stream.toPull(
      source.pages(resumeFrom === undefined ? { onProgress: emit } : { resumeFrom: resumeFrom.state, onProgress: emit })
    )
    const aborted = Effect.callback<typeof ABORTED>((resume) => {
      if (abort.signal.aborted) {
        resume(Effect.succeed(ABORTED))
        return
      }
      const onAbort = () => resume(Effect.succeed(ABORTED))
      abort.signal.addEventListener("abort", onAbort, { once: true })
      return Effect.sync(() => abort.signal.removeEventListener("abort", onAbort))
    })

    const DEADLINE = Symbol("deadline")
    const loop = Effect.gen(function*() {
      // The next pull runs in its own fiber, so an epoch whose time is up can be committed while
      // the source is still waiting (on a slow API, a rate limit, a retry back-off).
      let inflight: Fiber.Fiber<ReadonlyArray<SourcePage<unknown>> | undefined, SourceError> | undefined
      for (;;) {
        if (abort.signal.aborted) {
          if (inflight !== undefined) yield* Fiber.interrupt(inflight)
          return "interrupted" as const
        }
        const fiber = inflight ??= yield* Effect.forkChild(Pull.catchDone(pull, () => Effect.succeed(undefined)))
        let waiting: Effect.Effect<ReadonlyArray<SourcePage<unknown>> | undefined | typeof ABORTED | typeof DEADLINE, SourceError> =
          Effect.raceFirst(Fiber.join(fiber), aborted)
        if (epochPages > 0 && !held()) {
          const remaining = epochStartedAt + epochMaxMs - (yield* Clock.currentTimeMillis)
          waiting = Effect.raceFirst(waiting, Effect.as(Effect.sleep(Math.max(0, remaining)), DEADLINE))
        }
        const next = yield* waiting
        if (next === DEADLINE) {
          yield* commit
          continue
        }
        if (next === ABORTED) continue
        inflight = undefined
        if (next === undefined) break
        for (const page of next) {
          pages++
          recordsIn += page.records.length
          pageInFlight = true
          const out = yield* runStages(page.records)
          yield* writePage(out, page.state)
          pageInFlight = false
          const now = yield* Clock.currentTimeMillis
          if (epochRecords >= epochMaxRecords || now - epochStartedAt >= epochMaxMs) yield* commit
        }
      }
      pageInFlight = true
      const rest = yield* endStages
      if (rest.length > 0) yield* writePage(rest, state)
      pageInFlight = false
      return "completed" as const
    })

    const status = yield* loop.pipe(
      // Interrupted from outside, or the source failed with a typed error (quota spent, API
      // refusal…): commit the pages every sink already has, so a rerun resumes after them, then
      // let finalizers close the sinks. Not while a page is in flight through the stages (see
      // `pageInFlight`), and not after a defect, a bug of unknown extent.
      Effect.onError((cause) => (Cause.hasDies(cause) || pageInFlight ? Effect.void : Effect.ignore(commit)))
    )
    yield* commit
    yield* closeAll(sinks)

    const stages = spec.stages.map((stage, i) => ({ name: stage.name, ...steps[i].stats() }))
    const summary: PipelineSummary = {
      harvestId,
      stream: source.stream,
      recordKind: kind,
      status,
      resumed: resumeFrom !== undefined,
      resumedFromEpoch: resumeFrom?.epoch,
      pages,
      recordsIn,
      recordsOut,
      stages,
      sinks: sinks.map((entry) => ({ name: entry.sink.name, recordsWritten: entry.recordsWritten })),
      duplicatesDropped: stages.reduce((sum, stage) => sum + stage.duplicates, 0),
      retries,
      epochsCommitted,
      lastEpoch,
      durationMs: (yield* Clock.currentTimeMillis) - startedAt
    }
    return summary
  }))
