import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type { Checkpoint, CheckpointStore } from "../checkpoint/checkpoint-store.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { ResponseArchive } from "../archive/archive-writer.js"
import { sinkStepEffect } from "../errors/to-sink-error.js"
import type { Provenance } from "../records/provenance.js"
import { stampProvenance } from "../records/provenance.js"
import type { SourcePage } from "../source/source.js"
import type { ChangesJournal } from "./changes-journal.js"
import { checkpointStep, saveTo } from "./checkpoint-stores.js"
import type { OpenSink } from "./sink-set.js"
import { flushAll, writeAll } from "./sink-set.js"
import type { StageChain } from "./stage-chain.js"

/**
 * Delivers pages through the stages to the sinks and commits them in epochs. An epoch is due
 * when it holds `epochMaxRecords` output records or is `epochMaxMs` old; it is committed only
 * when no stage holds records back: every stage commits its state, every sink flushes, then the
 * checkpoint (the state after the epoch's last page) is saved.
 */
export interface EpochWriter<E, R> {
  /** One source page through the stages into every sink; commits the epoch when it is due. */
  readonly deliver: (page: SourcePage<unknown>) => Effect.Effect<void, E | SinkError | CheckpointError, R>
  /** Input ended: what the stages still hold goes to the sinks (uncommitted). */
  readonly finish: Effect.Effect<void, E | SinkError, R>
  /**
   * Commits the open epoch, if it has pages and may be committed. With pipelined sinks (every one
   * declares `writesDuringFlush`) it returns once the epoch is sealed — its stages committed, its
   * flush started — after waiting for the commit before it; otherwise once it is committed.
   */
  readonly startCommit: Effect.Effect<void, E | SinkError | CheckpointError, R>
  /** Commits the open epoch, if it may be, and returns once every epoch written is committed. */
  readonly commit: Effect.Effect<void, E | SinkError | CheckpointError, R>
  /** Waits for the commit in flight, if any, without reporting its outcome (`commit` does). */
  readonly settled: Effect.Effect<void>
  /** When the open epoch must be committed while waiting for the next page (`undefined`: no deadline now). */
  readonly deadline: () => number | undefined
  /** A page is between the source and the sinks: the stages' state may include it, so committing now is unsafe. */
  readonly pageInFlight: () => boolean
  readonly counts: () => {
    readonly pages: number
    readonly recordsIn: number
    readonly recordsOut: number
    readonly epochsCommitted: number
    readonly lastEpoch: number
  }
}

export const makeEpochWriter = <E, R>(options: {
  readonly harvestId: string
  readonly sinks: ReadonlyArray<OpenSink>
  readonly stages: StageChain<E, R>
  readonly checkpoints: CheckpointStore | undefined
  readonly resumeFrom: Checkpoint | undefined
  readonly epochMaxRecords: number
  readonly epochMaxMs: number
  readonly emit: ProgressListener
  /** Stamp records with their provenance (see `PipelineRunOptions.provenance`). */
  readonly provenance: boolean
  /** The raw archive pages' responses go to, committed with the epoch. */
  readonly archive: ResponseArchive | undefined
  /** Where the sinks' changes of an epoch are held before its flush, until counted. */
  readonly journal: ChangesJournal | undefined
  /** The run's clock (the Effect `Clock`'s, read without an Effect step per page). */
  readonly now: () => number
}): EpochWriter<E, R> => {
  const { harvestId, sinks, stages, checkpoints, emit, archive, journal, now } = options
  const archiveStep = (operation: "write" | "flush", run: () => Promise<void>) =>
    sinkStepEffect(`archive:${archive?.path}`, operation, run)
  let lastEpoch = options.resumeFrom?.epoch ?? 0
  let state: unknown = options.resumeFrom?.state
  let epochPages = 0
  let epochRecords = 0
  let epochStartedAt = 0
  // The open epoch's pages carry their epoch (`SourcePage.epoch`): it ends at a page of another one.
  let epochPinned = false
  let epochsCommitted = 0
  let pages = 0
  let recordsIn = 0
  let recordsOut = 0
  // Set when a write, flush or save failed: what the sinks hold of the open epoch is unknown,
  // so it must never be committed (resume re-delivers it).
  let poisoned = false
  // Set while a page is between the source and the sinks: a stage may already have recorded it
  // (a persistent dedupe its keys), so committing then would make a resumed run skip it.
  let inFlight = false
  const poison = <A, E1, R1>(self: Effect.Effect<A, E1, R1>) => Effect.onError(self, () => Effect.sync(() => (poisoned = true)))

  // Sinks that all take writes of the next epoch while a flush runs get a pipelined commit: the
  // epoch is sealed (stages committed, flush started) and the next one's pages flow meanwhile.
  const pipelined = sinks.length > 0 && sinks.every((entry) => entry.writer.writesDuringFlush === true)
  // The last epoch sealed: committed, or being committed by `flushing`. Pages go to the one after it.
  let sealed = lastEpoch
  // The commit in flight (pipelined only): its flush, archive commit and checkpoint save.
  let flushing: Fiber.Fiber<void, SinkError | CheckpointError> | undefined

  /** Waits for the commit in flight and reports its failure (once; it poisoned the open epoch). */
  const joinFlushing = Effect.suspend(() => {
    const fiber = flushing
    if (fiber === undefined) return Effect.void
    return Effect.ensuring(Fiber.join(fiber), Effect.sync(() => (flushing = undefined)))
  })

  /** The sinks' changes of `epoch` into the journal before its flush: nothing to do for an epoch that changed nothing. */
  const hold = (epoch: number): Effect.Effect<void, CheckpointError> => {
    if (journal === undefined) return Effect.void
    const held = sinks.flatMap((entry) => {
      const changes = entry.changes.pending(epoch)
      return changes.length === 0 ? [] : [{ sink: entry.sink.name, changes }]
    })
    if (held.length === 0) return Effect.void
    return checkpointStep(harvestId, "save", `holding epoch ${epoch}'s changed values`, () => journal.hold(epoch, held))
  }

  /**
   * What makes the checkpoint's epoch durable once its stages committed: its changed values held,
   * every sink's flush, the archive's commit, the checkpoint; then they count.
   */
  const durable = (checkpoint: Checkpoint, archived: Effect.Effect<void, SinkError>) =>
    Effect.gen(function*() {
      yield* hold(checkpoint.epoch)
      yield* flushAll(sinks, checkpoint)
      yield* archived
      if (checkpoints !== undefined) yield* saveTo(checkpoints, checkpoint)
      journal?.committed(checkpoint.epoch)
      for (const entry of sinks) {
        const changes = entry.changes.committed(checkpoint.epoch)
        if (changes !== undefined) emit({ type: "values-changed", harvestId, epoch: checkpoint.epoch, sink: entry.sink.name, changes })
      }
      lastEpoch = checkpoint.epoch
      epochsCommitted++
      emit({ type: "checkpoint", harvestId, epoch: checkpoint.epoch })
    }).pipe(poison)

  /**
   * Seals the open epoch and commits it: waits for it with strict sinks, only starts its flush with
   * pipelined ones (after the commit before it finished: at most one in flight). Uninterruptible: an
   * interruption waits rather than leaving some sinks flushed and the checkpoint unsaved.
   */
  const startCommit = Effect.gen(function*() {
    yield* joinFlushing
    if (poisoned || epochPages === 0 || stages.held()) return
    const epoch = sealed + 1
    const checkpoint: Checkpoint = { version: 1, harvestId, epoch, state, updatedAt: new Date(now()).toISOString() }
    yield* stages.commit(epoch).pipe(poison)
    sealed = epoch
    epochPages = 0
    epochRecords = 0
    epochPinned = false
    if (!pipelined) {
      const archived = archive === undefined ? Effect.void : archiveStep("flush", () => archive.commit(epoch))
      return yield* durable(checkpoint, archived)
    }
    // The archive seals the epoch now, before any of the next one's responses (it commits in order).
    const archiving = archive?.commit(epoch)
    archiving?.catch(() => undefined)
    const archived = archiving === undefined ? Effect.void : archiveStep("flush", () => archiving)
    flushing = yield* Effect.forkDetach(durable(checkpoint, archived), { startImmediately: true, uninterruptible: true })
  }).pipe(Effect.uninterruptible)

  const commit = Effect.andThen(startCommit, joinFlushing).pipe(Effect.uninterruptible)

  /** A failed commit in flight fails the next page at once (no request is spent on an epoch never committed). */
  const failedFlush = () => flushing?.pollUnsafe()?._tag === "Failure"

  /** The page's output in every sink; then it counts in the open epoch (which it opens if none is). */
  const writePage = (records: ReadonlyArray<unknown>, pageState: unknown) => {
    if (epochPages === 0) epochStartedAt = now()
    return Effect.map(writeAll(sinks, records, sealed + 1).pipe(poison), () => {
      state = pageState
      epochPages++
      epochRecords += records.length
      recordsOut += records.length
      if (records.length > 0) emit({ type: "records-out", stage: "sinks", records: records.length })
    })
  }

  /** The page's records with the provenance of its last response (or of now, when it has none). */
  const provenanceOf = (page: SourcePage<unknown>) => {
    const response = page.responses?.at(-1)
    const fetchedAt = response?.receivedAt ?? now()
    const provenance: Provenance = { _harvest_id: harvestId, _fetched_at: new Date(fetchedAt).toISOString(), _log_id: response?.logId ?? null }
    return stampProvenance(page.records, provenance)
  }

  /** The page's responses into the archive: an Effect step only when the archive says to wait (or failed). */
  const archiveOf = (page: SourcePage<unknown>) => {
    const responses = page.responses
    if (archive === undefined || responses === undefined || responses.length === 0) return Effect.void
    let wait: Promise<void> | undefined
    try {
      wait = archive.append(responses, sealed + 1)
    } catch (error) {
      wait = Promise.reject(error)
    }
    return wait === undefined ? Effect.void : archiveStep("write", () => wait).pipe(poison)
  }

  /** The open epoch is due once it holds enough records or is old enough (unless its pages name their epoch). */
  const due = () => !epochPinned && (epochRecords >= options.epochMaxRecords || now() - epochStartedAt >= options.epochMaxMs)

  /**
   * A page naming its epoch: the open epoch (of another) is committed first, and the page opens
   * its own, numbered as it says when that is later than the next (none lower: epochs only grow).
   * An epoch that cannot be committed yet (a stage holding records) takes the page as it is.
   */
  const enterEpochOf = (epoch: number) => {
    const open = epochPages > 0 && epoch !== sealed + 1 ? startCommit : Effect.void
    return Effect.map(open, () => {
      if (epochPages > 0) return
      if (epoch > sealed + 1) sealed = epoch - 1
      epochPinned = true
    })
  }

  // A plain chain of steps, no generator: this runs once per page.
  const deliver = (page: SourcePage<unknown>) =>
    Effect.suspend(() => {
      if (failedFlush()) return joinFlushing
      pages++
      recordsIn += page.records.length
      inFlight = true
      const records = options.provenance && page.records.length > 0 ? provenanceOf(page) : page.records
      // A page naming its epoch enters it first (archived with it); others take no extra step.
      const entered = page.epoch === undefined ? archiveOf(page) : Effect.andThen(enterEpochOf(page.epoch), Effect.suspend(() => archiveOf(page)))
      return entered.pipe(
        Effect.andThen(Effect.suspend(() => stages.process(records))),
        Effect.flatMap((output) => writePage(output, page.state)),
        Effect.flatMap(() => {
          inFlight = false
          return due() ? startCommit : Effect.void
        })
      )
    })

  const finish = Effect.gen(function*() {
    inFlight = true
    const rest = yield* stages.end
    if (rest.length > 0) yield* writePage(rest, state)
    inFlight = false
  })

  return {
    deliver,
    finish,
    startCommit,
    commit,
    settled: Effect.asVoid(Effect.suspend(() => (flushing === undefined ? Effect.void : Fiber.await(flushing)))),
    deadline: () => (epochPages > 0 && !epochPinned && !stages.held() ? epochStartedAt + options.epochMaxMs : undefined),
    pageInFlight: () => inFlight,
    counts: () => ({ pages, recordsIn, recordsOut, epochsCommitted, lastEpoch })
  }
}
