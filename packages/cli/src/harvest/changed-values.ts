import { randomBytes } from "node:crypto"
import type { ChangedValues, ChangesJournal, Checkpoint, CheckpointStore, PipelineSummary, SinkChanges } from "@tikflow/core/internal"
import { changeReasons, mergeChangedValues, mergeSinkChanges, settleHeld } from "@tikflow/core/internal"
import { isInternalSink } from "./internal-sinks.js"
import { RunStateFile } from "./run-state-file.js"

/** Values one of the user's outputs stored changed in one harvest, per column and reason. */
export interface ChangedInSink {
  readonly harvestId: string
  readonly stream: string
  readonly sink: string
  readonly changes: ReadonlyArray<ChangedValues>
}

/** What one pipeline (`pipeline`: the harvest's own, or a work-queue item's) counted of a harvest, per sink. */
interface CountedInSink extends ChangedInSink {
  /** Absent in files of tikflow before work-queue items carried their counts: the harvest's own. */
  readonly pipeline?: string
}

/** The pipeline that counted `entry`: entries of files before work-queue items carried counts are the harvest's own. */
const pipelineOf = (entry: CountedInSink): string => entry.pipeline ?? entry.harvestId

/** Changes held before the flush of `epoch` of the pipeline `pipeline`, not counted yet. */
interface HeldInSink extends ChangedInSink {
  readonly pipeline: string
  readonly epoch: number
}

interface SavedChanges {
  readonly version: 1
  /** The run command's id in the harvests' history (`HarvestRecord.changed`); absent in older files. */
  readonly id?: string
  readonly sinks: ReadonlyArray<CountedInSink>
  /** Absent in files of tikflow before the journal (they held nothing). */
  readonly held?: ReadonlyArray<HeldInSink>
}

/**
 * A work-queue item's committed changes as its checkpoint (on the queue row) carries them at the
 * epoch its pipeline resumes, if that checkpoint is of that epoch: what every worker before this one
 * committed of the item, exactly (see `withChanges`).
 */
export type CarriedChanges = (epoch: number) => Promise<ReadonlyArray<SinkChanges> | undefined>

/**
 * The values the user's outputs stored changed, kept in the run's state as each harvest's pipeline's
 * changes journal: an epoch's changes are held (saved, durably) before its flush and count once its
 * checkpoint is saved. A run resumed after an interruption, a kill included, reports the earlier
 * process's too: held changes of the epoch it resumes at or before count (they were committed, even
 * when the kill came between the checkpoint and this file's next save), later ones are dropped
 * (delivered again, held again, counted once). A work-queue item resumed from a checkpoint carrying
 * its changes starts from them instead, whichever worker committed them.
 */
export class ChangedValuesLog {
  private constructor(
    /** The run command's key in the history's `changed`: one per command until it finishes, over its attempts. */
    readonly id: string,
    private readonly file: RunStateFile<SavedChanges>,
    private entries: ReadonlyArray<CountedInSink>,
    private held: ReadonlyArray<HeldInSink>
  ) {}

  /** The changes saved in `file` by an interrupted run of the same command, if any. */
  static async open(path: string): Promise<ChangedValuesLog> {
    const file = new RunStateFile<SavedChanges>(path, "changed-values", 1)
    const saved = await file.read((changes) => Array.isArray(changes.sinks) && (changes.held === undefined || Array.isArray(changes.held)))
    return new ChangedValuesLog(saved?.id ?? randomBytes(6).toString("hex"), file, saved?.sinks ?? [], saved?.held ?? [])
  }

  /**
   * The journal of one pipeline of `harvest`: the harvest's own (`pipeline` its id) or a work-queue
   * item's, whose checkpoints carry its changes (`carried`). `notice` says when such an item resumes
   * at an epoch its checkpoint carries no counts for and this run state knows none of it either:
   * what an earlier worker stored changed before that epoch cannot be counted.
   */
  journal(
    pipeline: string,
    harvest: { readonly harvestId: string; readonly stream: string },
    carried?: CarriedChanges,
    notice?: (message: string) => void
  ): ChangesJournal {
    return {
      resumed: async (epoch) => {
        const atResume = epoch === undefined || carried === undefined ? undefined : await carried(epoch)
        if (atResume !== undefined) return this.restart(pipeline, harvest, atResume)
        if (carried !== undefined && epoch !== undefined && !this.knows(pipeline)) {
          notice?.(`${pipeline}: resumes at epoch ${epoch}, which its checkpoint carries no changed-value counts for; values an earlier worker stored changed before it are not counted`)
        }
        this.settle(pipeline, epoch, true)
      },
      hold: (epoch, changes) => {
        const kept = this.held.filter((entry) => entry.pipeline !== pipeline || entry.epoch !== epoch)
        const now = changes.filter((entry) => !isInternalSink(entry.sink))
          .map((entry): HeldInSink => ({ harvestId: harvest.harvestId, stream: harvest.stream, sink: entry.sink, changes: entry.changes, pipeline, epoch }))
        if (now.length === 0) return Promise.resolve()
        this.held = [...kept, ...now]
        return this.save()
      },
      committed: (epoch) => {
        // Saved without waiting: until it is, the file still holds them, and a resume counts them.
        if (this.settle(pipeline, epoch, false)) this.save().catch(() => undefined)
      }
    }
  }

  /** Waits for the saves started so far. */
  settled(): Promise<void> {
    return this.file.settled()
  }

  /** Every harvest's changes, per sink (its pipelines' added up). */
  changed(): ReadonlyArray<ChangedInSink> {
    const harvests = new Map<string, { stream: string; sinks: Array<SinkChanges> }>()
    for (const { harvestId, stream, sink, changes } of this.entries) {
      const harvest = harvests.get(harvestId) ?? { stream, sinks: [] }
      harvest.sinks.push({ sink, changes })
      harvests.set(harvestId, harvest)
    }
    return [...harvests].flatMap(([harvestId, { stream, sinks }]) => mergeSinkChanges(sinks).map((entry) => ({ harvestId, stream, ...entry })))
  }

  /**
   * What the command committed of `harvestId`, per sink, for its history: what counted, and what
   * `pipeline` held for epochs up to `epoch` when given (its checkpoint is saved: committed, and
   * counted just after the history update that asks).
   */
  committedOf(harvestId: string, through?: { readonly pipeline: string; readonly epoch: number }): ReadonlyArray<SinkChanges> {
    const held = through === undefined ? [] : this.heldThrough(through.pipeline, through.epoch)
    return mergeSinkChanges([...this.entries, ...held].filter((entry) => entry.harvestId === harvestId))
  }

  /** What one pipeline committed, per sink: its counts, and what it held for epochs up to `epoch` when given (its checkpoint's save is under way). */
  pipelineChanges(pipeline: string, epoch?: number): ReadonlyArray<SinkChanges> {
    const held = epoch === undefined ? [] : this.heldThrough(pipeline, epoch)
    return mergeSinkChanges([...this.entries, ...held].filter((entry) => pipelineOf(entry) === pipeline))
  }

  /** What `pipeline` held for epochs up to `epoch` (committed once their checkpoint is saved). */
  private heldThrough(pipeline: string, epoch: number): ReadonlyArray<HeldInSink> {
    return this.held.filter((entry) => entry.pipeline === pipeline && entry.epoch <= epoch)
  }

  /** Whether this run state counted or holds anything of `pipeline`. */
  private knows(pipeline: string): boolean {
    return this.held.some((entry) => entry.pipeline === pipeline) || this.entries.some((entry) => pipelineOf(entry) === pipeline)
  }

  /** Counts what `settleHeld` says of the pipeline's held changes at `epoch`; true when anything moved. */
  private settle(pipeline: string, epoch: number | undefined, resuming: boolean): boolean {
    const mine = this.held.filter((entry) => entry.pipeline === pipeline)
    if (mine.length === 0) return false
    const settled = settleHeld(mine, epoch, resuming)
    for (const { epoch: _, ...entry } of settled.counted) this.count(entry)
    this.held = [...this.held.filter((entry) => entry.pipeline !== pipeline), ...settled.held]
    return true
  }

  /** The pipeline starts from the changes its checkpoint carries: they replace what it counted or held here. */
  private restart(pipeline: string, harvest: { readonly harvestId: string; readonly stream: string }, carried: ReadonlyArray<SinkChanges>): void {
    this.entries = this.entries.filter((entry) => pipelineOf(entry) !== pipeline)
    this.held = this.held.filter((entry) => entry.pipeline !== pipeline)
    for (const { sink, changes } of carried) this.count({ harvestId: harvest.harvestId, stream: harvest.stream, sink, changes, pipeline })
  }

  private count(counted: CountedInSink & { readonly pipeline: string }): void {
    const same = (entry: CountedInSink) =>
      entry.harvestId === counted.harvestId && entry.sink === counted.sink && pipelineOf(entry) === counted.pipeline
    const earlier = this.entries.find(same)
    const entry = { ...counted, changes: mergeChangedValues(earlier?.changes ?? [], counted.changes) }
    this.entries = earlier === undefined ? [...this.entries, entry] : this.entries.map((e) => (same(e) ? entry : e))
  }

  private save(): Promise<void> {
    return this.file.save({ version: 1, id: this.id, sinks: this.entries, held: this.held })
  }
}

/** The item's checkpoint store, saving with each checkpoint what the item committed through its epoch (`changes`). */
export const withChanges = (store: CheckpointStore, committed: (epoch: number) => ReadonlyArray<SinkChanges>): CheckpointStore => ({
  name: store.name,
  load: (harvestId) => store.load(harvestId),
  save: (checkpoint) => store.save({ ...checkpoint, changes: committed(checkpoint.epoch) } as Checkpoint),
  clear: (harvestId) => store.clear(harvestId)
})

/** The changes a checkpoint of `store` carries at `epoch`, when it is of that epoch (a `CarriedChanges`). */
export const carriedBy = (store: CheckpointStore, harvestId: string): CarriedChanges => async (epoch) => {
  const saved = await store.load(harvestId) as (Checkpoint & { readonly changes?: ReadonlyArray<SinkChanges> }) | undefined
  return saved?.epoch === epoch ? saved.changes : undefined
}

/** What a pipeline run's summary says the user's outputs stored changed (replay reads it there). */
export const changedInSummary = (summary: PipelineSummary): Array<ChangedInSink> =>
  summary.sinks.filter((sink) => !isInternalSink(sink.name) && sink.changedValues.length > 0)
    .map((sink) => ({ harvestId: summary.harvestId, stream: summary.stream, sink: sink.name, changes: sink.changedValues }))

/** Values stored changed over every harvest and sink. */
export const changedTotal = (changed: ReadonlyArray<SinkChanges>): number =>
  changed.reduce((total, entry) => entry.changes.reduce((sum, change) => sum + change.count, total), 0)

/** `parquet:./out stored 2 value(s) changed: video_description 2 (a lone UTF-16 surrogate stored as U+FFFD)` */
export const describeChanged = (entry: SinkChanges): string => {
  const each = entry.changes.map((change) => `${change.column} ${change.count.toLocaleString("en-US")} (${changeReasons[change.reason] ?? change.reason})`)
  return `${entry.sink} stored ${changedTotal([entry]).toLocaleString("en-US")} value(s) changed: ${each.join(", ")}`
}
