import * as Effect from "effect/Effect"
import type { Checkpoint, CheckpointStore } from "../checkpoint/checkpoint-store.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { ResponseArchive } from "../archive/archive-writer.js"
import { sinkStepEffect } from "../errors/to-sink-error.js"
import type { Provenance } from "../records/provenance.js"
import { stampProvenance } from "../records/provenance.js"
import type { SourcePage } from "../source/source.js"
import { saveTo } from "./checkpoint-stores.js"
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
  /** Commits the open epoch, if it has pages and may be committed. */
  readonly commit: Effect.Effect<void, E | SinkError | CheckpointError, R>
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
  /** The run's clock (the Effect `Clock`'s, read without an Effect step per page). */
  readonly now: () => number
}): EpochWriter<E, R> => {
  const { harvestId, sinks, stages, checkpoints, emit, archive, now } = options
  const archiveStep = (operation: "write" | "flush", run: () => Promise<void>) =>
    sinkStepEffect(`archive:${archive?.path}`, operation, run)
  let lastEpoch = options.resumeFrom?.epoch ?? 0
  let state: unknown = options.resumeFrom?.state
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
  let inFlight = false
  const poison = <A, E1, R1>(self: Effect.Effect<A, E1, R1>) => Effect.onError(self, () => Effect.sync(() => (poisoned = true)))

  const commit = Effect.gen(function*() {
    if (poisoned || epochPages === 0 || stages.held()) return
    const epoch = lastEpoch + 1
    const checkpoint: Checkpoint = {
      version: 1,
      harvestId,
      epoch,
      state,
      updatedAt: new Date(now()).toISOString()
    }
    // Uninterruptible: an interruption waits for the commit in progress rather than leaving
    // some sinks flushed and the checkpoint unsaved.
    yield* Effect.gen(function*() {
      yield* stages.commit(epoch)
      yield* flushAll(sinks, checkpoint)
      if (archive !== undefined) yield* archiveStep("flush", () => archive.commit(epoch))
      if (checkpoints !== undefined) yield* saveTo(checkpoints, checkpoint)
    }).pipe(poison, Effect.uninterruptible)
    lastEpoch = epoch
    epochsCommitted++
    epochPages = 0
    epochRecords = 0
    emit({ type: "checkpoint", harvestId, epoch })
  })

  /** The page's output in every sink; then it counts in the open epoch (which it opens if none is). */
  const writePage = (records: ReadonlyArray<unknown>, pageState: unknown) => {
    if (epochPages === 0) epochStartedAt = now()
    return Effect.map(writeAll(sinks, records, lastEpoch + 1).pipe(poison), () => {
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

  const archiveOf = (page: SourcePage<unknown>) => {
    const responses = page.responses
    return archive === undefined || responses === undefined || responses.length === 0
      ? Effect.void
      : archiveStep("write", () => archive.append(responses, lastEpoch + 1)).pipe(poison)
  }

  /** The open epoch is due once it holds enough records or is old enough. */
  const due = () => epochRecords >= options.epochMaxRecords || now() - epochStartedAt >= options.epochMaxMs

  // A plain chain of steps, no generator: this runs once per page.
  const deliver = (page: SourcePage<unknown>) =>
    Effect.suspend(() => {
      pages++
      recordsIn += page.records.length
      inFlight = true
      const records = options.provenance && page.records.length > 0 ? provenanceOf(page) : page.records
      return archiveOf(page).pipe(
        Effect.andThen(Effect.suspend(() => stages.process(records))),
        Effect.flatMap((output) => writePage(output, page.state)),
        Effect.flatMap(() => {
          inFlight = false
          return due() ? commit : Effect.void
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
    commit,
    deadline: () => (epochPages > 0 && !stages.held() ? epochStartedAt + options.epochMaxMs : undefined),
    pageInFlight: () => inFlight,
    counts: () => ({ pages, recordsIn, recordsOut, epochsCommitted, lastEpoch })
  }
}
