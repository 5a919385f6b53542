import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { type BoundSink, type CheckpointStore, type HarvestRecord, type ProgressEvent, type SinkChanges, type StreamContext, utcDay } from "@tikflow/core/internal"
import type { VideoQueryFilter } from "@tikflow/sources/internal"
import { describeFailure, failedRunStatus } from "../failure.js"
import { carriedBy, withChanges } from "./changed-values.js"
import { countsAtResume, dayCounter, withCounts } from "./day-counts.js"
import { beginRun, commitCounts, countsAt, coverItems, endRun, itemCounted, type RunOutcome, withChanged, withRunProgress } from "./harvest-history.js"
import type { JobPlan } from "./harvest-plan.js"
import { harvestRequestOf } from "./job-sources.js"
import type { JobSpec } from "./job-spec.js"
import type { OpenRun } from "./open-run.js"
import { RunJournal } from "./run-journal.js"

type HarvestingPlan = Exclude<JobPlan, { type: "complete" }>

/**
 * What one pass of a harvest adds to its history: the run (begun before its first request),
 * requests per UTC day and errors by kind as they happen (in its journal, so a killed run's reach
 * the history too), its progress and the fan-out items it finished at each commit, and how the
 * pass ended (its last committed epoch, when known).
 */
export const passHistory = (run: OpenRun, source: { readonly harvestId: string; readonly stream: string }, items: ReadonlyArray<string>) => {
  const { settings, signal, output } = run.input
  const { harvestId } = source
  const runner = { id: randomBytes(6).toString("hex"), pid: process.pid, host: hostname() }
  let journal: RunJournal | undefined
  const tally = () => journal?.tally ?? { requestsByDay: {}, errors: {} }
  const countRefusals = run.refused.track(harvestId, source.stream, items)
  const refused = () => run.refused.refusals().find((r) => r.harvestId === harvestId)?.items ?? []
  const nowIso = () => new Date(settings.now()).toISOString()
  // The run's records committed: a job's pass, those of the last checkpoint it saved (`commits`; a
  // failure may leave records written after it, which the next run delivers again); a team's worker,
  // undefined: its entry keeps the records of the items it finished (`itemCounted`).
  let recordsCommitted = (): number | undefined => undefined
  /** The pass ended: its run's final entry; the record as it is now. */
  const ended = async (status: RunOutcome["status"], lastEpoch: number | undefined): Promise<HarvestRecord> => {
    // A team's items record their own changes as each is done (`itemDone`), whichever worker did them.
    const changed = run.workQueue === undefined ? run.changed.committedOf(harvestId) : []
    const records = recordsCommitted()
    const record = await run.history.update(harvestId, (current) =>
      withChanged(endRun(current!, runner.id, { status, lastEpoch, ...tally(), records, refused: refused() }, settings.now()), run.changed.id, changed))
    await journal?.remove()
    return record
  }
  /**
   * Committed: the run's progress so far, the items finished and, under `changed.key`, the values
   * stored changed (`HarvestRecord.changed`; with `also`, in the same update). `records`: the run's
   * records committed (a checkpoint of the job's pass saved: also said in its journal first);
   * undefined for a team's worker, whose `also` adds an item's to its entry.
   */
  const committed = async (
    done: ReadonlyArray<string>,
    also: (record: HarvestRecord) => HarvestRecord,
    changed: { readonly key: string; readonly sinks: ReadonlyArray<SinkChanges> },
    records: number | undefined
  ) => {
    if (records !== undefined) journal?.committed(records)
    await run.history.update(harvestId, (record) =>
      withChanged(
        coverItems(withRunProgress(also(record!), runner.id, { ...tally(), records }), done, new Set(refused()), nowIso()),
        changed.key,
        changed.sinks
      ))
  }
  /**
   * The sink counting the records per created day of `countedId` (the pass's harvest, or a
   * work-queue item of it, whose history holds no counts of its own), starting at the counts of the
   * epoch its pipeline resumes (`countsAtResume`), else at none, said.
   */
  const counterOf = (store: CheckpointStore, countedId: string) =>
    dayCounter(async (context: StreamContext) => {
      const earlier = async (epoch: number) => (countedId === harvestId ? countsAt(await run.history.read(harvestId), epoch) : undefined)
      const counts = await countsAtResume(store, countedId, context.resume?.epoch, earlier)
      if (counts === undefined) {
        output.notice(`${countedId}: neither its checkpoint nor the history has record counts for epoch ${context.resume?.epoch}; its per-day counts restart from 0`)
      }
      return counts ?? {}
    })
  return {
    begin: async (identity: Parameters<typeof beginRun>[1], plan: HarvestingPlan, outputs: ReadonlyArray<string>) => {
      const startedAt = nowIso()
      const begun = await run.history.update(harvestId, (current) => beginRun(current, identity, plan, outputs, startedAt, runner))
      // A team's changes are the items' (`itemDone`): a killed worker's run has none of its own to settle.
      const changes = run.workQueue === undefined ? { changes: run.changed.path } : {}
      journal = await RunJournal.open(settings.stateDir, { version: 1, harvestId, run: runner.id, pid: runner.pid, host: runner.host, startedAt, ...changes }, (message) =>
        output.notice(message))
      return begun
    },
    ended,
    /**
     * A work-queue item is done: its fan-out items covered, its `counts` (its checkpoints carried the
     * earlier workers' share) and records counted once, for the run finishing it (`itemCounted`);
     * its changes under its own key. Nothing in the journal: the update alone says the item counted,
     * so a kill before it leaves the item to the worker finishing it again, and one after it
     * counts it once.
     */
    itemDone: (itemHarvestId: string, done: ReadonlyArray<string>, counts: Readonly<Record<string, number>>) =>
      committed(done, (record) => itemCounted(record, runner.id, itemHarvestId, counts), {
        key: itemHarvestId,
        sinks: run.changed.pipelineChanges(itemHarvestId)
      }, undefined),
    /** The changes journal of the pass's pipeline, in the run's state (a work-queue item's: `itemCounts`). */
    changesJournal: () => run.changed.journal(harvestId, source),
    /**
     * A work-queue item's checkpoints and the sink counting its records per created day: counts of
     * its own, travelling in its checkpoints, added to the harvest's history when the item is done.
     */
    itemCounts: (store: CheckpointStore, itemHarvestId: string) => {
      const counter = counterOf(store, itemHarvestId)
      const checkpoints = withChanges(withCounts(store, counter.counts), (epoch) => run.changed.carriedThrough(itemHarvestId, epoch))
      const changesJournal = run.changed.journal(itemHarvestId, source, carriedBy(store, itemHarvestId), (message) => output.notice(message))
      return { checkpoints, counter: counter.sink, counts: counter.counts, changesJournal }
    },
    /**
     * The job's checkpoints and the sink counting its records per created day. Each checkpoint
     * carries the epoch's counts; after it is saved, ONE history update takes them with the run's
     * progress and the items done (a keyed state's `index` names them). A crash between the two
     * leaves the history at the previous epoch, never ahead of a checkpoint, and the resumed run
     * takes the counts from the checkpoint; the run's records, held in its journal before the save,
     * are settled by the epoch the checkpoint reached.
     */
    commits: (store: CheckpointStore): { readonly checkpoints: CheckpointStore; readonly counter: BoundSink } => {
      const counter = counterOf(store, harvestId)
      const counted = withCounts(store, counter.counts)
      let saved = 0
      recordsCommitted = () => saved
      const checkpoints: CheckpointStore = {
        ...counted,
        save: async (checkpoint) => {
          // Its sinks flushed: the run's records once this checkpoint is saved, held first (see `RunJournal.held`).
          const records = counter.committedRecords()
          journal?.held(checkpoint.epoch, records)
          await counted.save(checkpoint)
          saved = records
          const counts = { ...counter.counts }
          const index = (checkpoint.state as { index?: unknown } | null)?.index
          await committed(Number.isInteger(index) ? items.slice(0, index as number) : [], (record) => commitCounts(record, checkpoint.epoch, counts), {
            key: run.changed.id,
            sinks: run.changed.committedOf(harvestId, { pipeline: harvestId, epoch: checkpoint.epoch })
          }, records)
        }
      }
      return { checkpoints, counter: counter.sink }
    },
    onProgress: (event: ProgressEvent) => {
      countRefusals(event)
      if (event.type === "sending") journal?.sending(utcDay(settings.now()))
      else if (event.type === "request" && event.sent === false) journal?.unsent(utcDay(settings.now()))
      else if (event.type === "retry") journal?.error(event.kind)
      else if (event.type === "item-refused") journal?.error(`refused:${event.code}`)
    },
    /**
     * The pass failed: counted by kind; the history keeps how it ended by the rule the exit code
     * follows too (`failedRunStatus`). A failure to write it must not hide the error.
     */
    failed: async (error: unknown, lastEpoch: number | undefined) => {
      const status = failedRunStatus(describeFailure(error), signal)
      journal?.error(status === "stopped" ? "quota-exhausted" : (error as { _tag?: string })._tag ?? "failure")
      await ended(status, lastEpoch).catch(() => undefined)
    },
    /** Stopped by `--max-records` (stopped) or a signal (interrupted). */
    interrupted: (lastEpoch: number | undefined) => ended(run.limit?.reached && !signal.aborted ? "stopped" : "interrupted", lastEpoch)
  }
}
export type PassHistory = ReturnType<typeof passHistory>

/**
 * A work-queue item this run state counted or held changes of, which this attempt did not finish
 * (another worker did, or holds it): what it counts of the item becomes what the item's checkpoint on
 * the queue row carries, as at a resume (the row says which worker committed which epoch: an epoch
 * held here and committed just before a SIGKILL counts; one never committed, or delivered again by
 * the worker that took the item over, does not).
 */
export const itemSettled = async (run: OpenRun, source: { readonly harvestId: string; readonly stream: string }, store: CheckpointStore, itemHarvestId: string) => {
  const saved = await store.load(itemHarvestId)
  if (saved !== undefined) await run.changed.journal(itemHarvestId, source, carriedBy(store, itemHarvestId)).resumed(saved.epoch, [])
}

/** The harvest's identity as its history keeps it: endpoint and normalized request, without range or list. */
export const identityOf = (job: JobSpec, id: string, stream: string, query: VideoQueryFilter | undefined) => ({
  id,
  endpoint: job.source.endpoint,
  stream,
  request: {
    ...harvestRequestOf(job.source, query),
    ...(job.source.endpoint === "videos" && typeof job.source.query === "string" ? { queryText: job.source.query } : {})
  }
})
