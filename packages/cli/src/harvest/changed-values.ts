import { randomBytes } from "node:crypto"
import type { ChangedValues, ChangesJournal, Checkpoint, CheckpointStore, PipelineSummary, SinkChanges } from "@tikflow/core/internal"
import { changeReasons, mergeSinkChanges, settleHeld } from "@tikflow/core/internal"
import { isInternalSink } from "./internal-sinks.js"
import { savingWith } from "./job-checkpoints.js"
import { RunStateFile } from "./run-state-file.js"

/** Values one of the user's outputs stored changed in one harvest, per column and reason. */
export interface ChangedInSink {
  readonly harvestId: string
  readonly stream: string
  readonly sink: string
  readonly changes: ReadonlyArray<ChangedValues>
}

/** What one pipeline (`pipeline`: the harvest's own, or a work-queue item's) counted of a harvest in one sink, for one epoch. */
interface CountedInSink extends ChangedInSink {
  /** Absent in files of tikflow before work-queue items carried their counts: the harvest's own. */
  readonly pipeline?: string
  /** The epoch whose commit counted them; absent in files of tikflow before counts were kept per epoch (taken as 0). */
  readonly epoch?: number
  /**
   * A work-queue item's changes that another worker committed (its run command's id), carried by the
   * item's checkpoint: the item's, counted in the team's history, not in this worker's summary.
   */
  readonly by?: string
}

/** An entry of this run state, counted or held, with its pipeline and epoch said. */
interface Entry extends CountedInSink {
  readonly pipeline: string
  readonly epoch: number
}

/** Entries of files before per-epoch counts (or before work-queue items carried theirs) as entries now. */
const entryOf = (entry: CountedInSink): Entry => ({ ...entry, pipeline: entry.pipeline ?? entry.harvestId, epoch: entry.epoch ?? 0 })

interface SavedChanges {
  readonly version: 1
  /** The run command's id in the harvests' history (`HarvestRecord.changed`); absent in older files. */
  readonly id?: string
  readonly sinks: ReadonlyArray<CountedInSink>
  /** Changes held before an epoch's flush, not counted yet; absent in files of tikflow before the journal (they held nothing). */
  readonly held?: ReadonlyArray<Entry>
}

/** One sink's changes of one epoch of a work-queue item as its checkpoint carries them, with who committed them (`by`: a run command's id). */
export interface CarriedEpoch extends SinkChanges {
  readonly epoch: number
  readonly by: string
}

/**
 * What a work-queue item's checkpoint (on the queue row) carries of the item's committed changes
 * through the epoch its pipeline resumes at, per epoch and worker (see `withChanges`): what every
 * worker before this one committed of the item, exactly. Undefined when it carries none for that epoch.
 */
export type CarriedChanges = (epoch: number) => Promise<ReadonlyArray<CarriedEpoch> | undefined>

/**
 * The values the user's outputs stored changed, kept in the run's state as each harvest's pipeline's
 * changes journal, per pipeline, sink and epoch: an epoch's changes are held (saved, durably) before
 * its flush and count once its checkpoint is saved. A run resumed after an interruption, a kill
 * included, reports the earlier process's too, by core's `settleHeld`: held changes of the epoch it
 * resumes at or before count (they were committed, even when the kill came between the checkpoint and
 * this file's next save); what was held or counted for a later epoch is dropped, since its sinks
 * discarded it (delivered again, counted once: a resume below what was counted, an older database
 * restored, and a harvest starting over, a sink's checkpoint lost, included). A work-queue item resumed
 * from a checkpoint carrying its changes starts from them instead, whichever worker committed them.
 */
export class ChangedValuesLog {
  private constructor(
    /** The run command's key in the history's `changed`: one per command until it finishes, over its attempts. */
    readonly id: string,
    /** The file in the run's state (named in its run journal: see `changedAtKill`). */
    readonly path: string,
    private readonly file: RunStateFile<SavedChanges>,
    private entries: ReadonlyArray<Entry>,
    private held: ReadonlyArray<Entry>
  ) {}

  /** The changes saved in `file` by an interrupted run of the same command, if any. */
  static async open(path: string): Promise<ChangedValuesLog> {
    const file = new RunStateFile<SavedChanges>(path, "changed-values", 1)
    const saved = await file.read((changes) => Array.isArray(changes.sinks) && (changes.held === undefined || Array.isArray(changes.held)))
    return new ChangedValuesLog(saved?.id ?? randomBytes(6).toString("hex"), path, file, (saved?.sinks ?? []).map(entryOf), saved?.held ?? [])
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
      resumed: async (epoch, sinks) => {
        const atResume = epoch === undefined || carried === undefined ? undefined : await carried(epoch)
        if (atResume !== undefined) return this.restart(pipeline, harvest, atResume)
        if (carried !== undefined && epoch !== undefined && !this.knows(pipeline)) {
          notice?.(`${pipeline}: resumes at epoch ${epoch}, which its checkpoint carries no changed-value counts for; values an earlier worker stored changed before it are not counted`)
        }
        this.settle(pipeline, epoch, true, sinks)
      },
      hold: (epoch, changes) => {
        const kept = this.held.filter((entry) => entry.pipeline !== pipeline || entry.epoch !== epoch)
        const now = changes.filter((entry) => !isInternalSink(entry.sink))
          .map((entry): Entry => ({ harvestId: harvest.harvestId, stream: harvest.stream, sink: entry.sink, changes: entry.changes, pipeline, epoch }))
        if (now.length === 0) return Promise.resolve()
        this.held = [...kept, ...now]
        // A work-queue item's checkpoint carries what it holds now (`withChanges`), atomic with the
        // checkpoint on the queue row, and any resume of the item starts from the row's: this file
        // only keeps the worker's own summary, so it needs no fsync (a SIGKILL cannot lose the write).
        return this.save({ durable: carried === undefined })
      },
      committed: (epoch) => {
        // Saved without waiting: until it is, the file still holds them, and a resume counts them.
        if (this.settle(pipeline, epoch, false)) this.save({ durable: carried === undefined }).catch(() => undefined)
      }
    }
  }

  /** Waits for the saves started so far. */
  settled(): Promise<void> {
    return this.file.settled()
  }

  /** What this command's own pipelines committed, per harvest and sink: a work-queue item's changes other workers committed are left out. */
  changed(): ReadonlyArray<ChangedInSink> {
    const harvests = new Map<string, { stream: string; sinks: Array<SinkChanges> }>()
    for (const { harvestId, stream, sink, changes } of this.entries.filter((entry) => entry.by === undefined)) {
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

  /** What one pipeline committed, per sink, whichever worker did (a work-queue item's whole, for the team's history). */
  pipelineChanges(pipeline: string): ReadonlyArray<SinkChanges> {
    return mergeSinkChanges(this.entries.filter((entry) => entry.pipeline === pipeline))
  }

  /** What one pipeline committed per epoch and worker, with what it held for epochs up to `epoch` (its checkpoint's save is under way): what the checkpoint carries. */
  carriedThrough(pipeline: string, epoch: number): ReadonlyArray<CarriedEpoch> {
    return [...this.entries.filter((entry) => entry.pipeline === pipeline), ...this.heldThrough(pipeline, epoch)]
      .map(({ sink, changes, epoch: of, by }) => ({ sink, changes, epoch: of, by: by ?? this.id }))
  }

  /** What `pipeline` held for epochs up to `epoch` (committed once their checkpoint is saved). */
  private heldThrough(pipeline: string, epoch: number): ReadonlyArray<Entry> {
    return this.held.filter((entry) => entry.pipeline === pipeline && entry.epoch <= epoch)
  }

  /** Whether this run state counted or holds anything of a work-queue item of `harvestId` (a pipeline not the harvest's own). */
  knowsItemsOf(harvestId: string): boolean {
    return [...this.held, ...this.entries].some((entry) => entry.harvestId === harvestId && entry.pipeline !== harvestId)
  }

  /** Whether this run state counted or holds anything of `pipeline`. */
  knows(pipeline: string): boolean {
    return [...this.held, ...this.entries].some((entry) => entry.pipeline === pipeline)
  }

  /**
   * Settles the pipeline's changes by `settleHeld` at `epoch` (at a resume, in the sinks named
   * `sinks`, which discard what came later: another job's sinks keep theirs); true when anything moved.
   */
  private settle(pipeline: string, epoch: number | undefined, resuming: boolean, sinks?: ReadonlyArray<string>): boolean {
    const mine = (entry: Entry) => entry.pipeline === pipeline && (sinks === undefined || sinks.includes(entry.sink))
    const journal = { counted: this.entries.filter(mine), held: this.held.filter(mine) }
    const settled = settleHeld(journal, epoch, resuming)
    if (settled.counted.length === journal.counted.length && settled.held.length === journal.held.length) return false
    this.entries = [...this.entries.filter((entry) => !mine(entry)), ...settled.counted]
    this.held = [...this.held.filter((entry) => !mine(entry)), ...settled.held]
    return true
  }

  /** The pipeline starts from the changes its checkpoint carries: they replace what it counted or held here. */
  private restart(pipeline: string, harvest: { readonly harvestId: string; readonly stream: string }, carried: ReadonlyArray<CarriedEpoch>): void {
    this.entries = [
      ...this.entries.filter((entry) => entry.pipeline !== pipeline),
      ...carried.map(({ sink, changes, epoch, by }): Entry => ({ ...harvest, sink, changes, pipeline, epoch, ...(by === this.id ? {} : { by }) }))
    ]
    this.held = this.held.filter((entry) => entry.pipeline !== pipeline)
  }

  private save(options: { readonly durable?: boolean } = {}): Promise<void> {
    return this.file.save({ version: 1, id: this.id, sinks: this.entries, held: this.held }, options)
  }
}

/** The item's checkpoint store, saving with each checkpoint what the item committed through its epoch (`changes`, per epoch and worker). */
export const withChanges = (store: CheckpointStore, committed: (epoch: number) => ReadonlyArray<CarriedEpoch>): CheckpointStore =>
  savingWith(store, (checkpoint) => ({ changes: committed(checkpoint.epoch) }))

/**
 * The changes a checkpoint of `store` carries through `epoch` (a `CarriedChanges`): those of epochs
 * up to it, when the checkpoint is of that epoch or a later one (a sink's checkpoint behind the
 * queue row's). A checkpoint of an earlier tikflow carried one total through its own epoch, by no
 * worker named: usable at that epoch only.
 */
export const carriedBy = (store: CheckpointStore, harvestId: string): CarriedChanges => async (epoch) => {
  const saved = await store.load(harvestId) as (Checkpoint & { readonly changes?: ReadonlyArray<SinkChanges & Partial<CarriedEpoch>> }) | undefined
  if (saved?.changes === undefined || saved.epoch < epoch) return undefined
  if (saved.changes.every((entry) => typeof entry.epoch === "number")) return (saved.changes as ReadonlyArray<CarriedEpoch>).filter((entry) => entry.epoch <= epoch)
  return saved.epoch === epoch ? saved.changes.map((entry) => ({ ...entry, epoch, by: entry.by ?? "an earlier worker" })) : undefined
}

/**
 * What a killed run of a harvest (not a team's) committed of its changes, for its history: what its
 * run state (`path`) counted, and what it held through the epoch its harvest's checkpoint `reached`
 * (the last saved: every sink flushed it; `settleDeadRuns` reads it). The history took them after the checkpoint before it; a kill
 * between a save and the history's update leaves it one epoch behind until the next command that
 * opens the history settles the dead run's journal (`settleDeadRuns`) and this with it.
 */
export const changedAtKill = async (path: string, harvestId: string, reached: number | undefined): Promise<{ readonly key: string; readonly sinks: ReadonlyArray<SinkChanges> }> => {
  const log = await ChangedValuesLog.open(path)
  return { key: log.id, sinks: log.committedOf(harvestId, reached === undefined ? undefined : { pipeline: harvestId, epoch: reached }) }
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
