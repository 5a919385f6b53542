import type { ChangedValues, PipelineSummary, ProgressEvent, ProgressListener } from "@tikflow/core/internal"
import { changeReasons, mergeChangedValues } from "@tikflow/core/internal"
import { isInternalSink } from "./internal-sinks.js"
import { RunStateFile } from "./run-state-file.js"

/** Values one of the user's outputs stored changed in one harvest, per column and reason. */
export interface ChangedInSink {
  readonly harvestId: string
  readonly stream: string
  readonly sink: string
  readonly changes: ReadonlyArray<ChangedValues>
}

interface SavedChanges {
  readonly version: 1
  readonly sinks: ReadonlyArray<ChangedInSink>
}

/**
 * Counts the values the user's outputs stored changed, from `values-changed` events (each sent once
 * its epoch committed). Saved with the run's state at every checkpoint that follows one, so a run
 * resumed after an interruption reports the earlier process's too, and an epoch delivered again
 * after a crash (never committed, never counted) counts once. A kill between a checkpoint and this
 * file's save loses that epoch's count.
 */
export class ChangedValuesLog {
  private dirty = false

  private constructor(private readonly file: RunStateFile<SavedChanges>, private readonly entries: Array<ChangedInSink>) {}

  /** The changes saved in `file` by an interrupted run of the same command, if any. */
  static async open(path: string): Promise<ChangedValuesLog> {
    const file = new RunStateFile<SavedChanges>(path, "changed-values", 1)
    const saved = await file.read((changes) => Array.isArray(changes.sinks))
    return new ChangedValuesLog(file, [...(saved?.sinks ?? [])])
  }

  /** Counts one harvest's changes from its progress events. */
  track(harvestId: string, stream: string): ProgressListener {
    return (event: ProgressEvent) => {
      if (event.type === "values-changed" && !isInternalSink(event.sink)) {
        const at = this.entries.findIndex((entry) => entry.harvestId === harvestId && entry.sink === event.sink)
        const earlier = at < 0 ? [] : this.entries[at]!.changes
        const entry = { harvestId, stream, sink: event.sink, changes: mergeChangedValues(earlier, event.changes) }
        if (at < 0) this.entries.push(entry)
        else this.entries[at] = entry
        this.dirty = true
      }
      if (event.type === "checkpoint" && this.dirty) this.save()
    }
  }

  /** Waits for the saves started so far. */
  settled(): Promise<void> {
    return this.file.settled()
  }

  /** Every harvest's changes, per sink. */
  changed(): ReadonlyArray<ChangedInSink> {
    return this.entries
  }

  private save(): void {
    this.dirty = false
    this.file.save({ version: 1, sinks: this.entries })
  }
}

/** What a pipeline run's summary says the user's outputs stored changed (replay reads it there). */
export const changedInSummary = (summary: PipelineSummary): Array<ChangedInSink> =>
  summary.sinks.filter((sink) => !isInternalSink(sink.name) && sink.changedValues.length > 0)
    .map((sink) => ({ harvestId: summary.harvestId, stream: summary.stream, sink: sink.name, changes: sink.changedValues }))

/** Values stored changed over every harvest and sink. */
export const changedTotal = (changed: ReadonlyArray<ChangedInSink>): number =>
  changed.reduce((total, entry) => entry.changes.reduce((sum, change) => sum + change.count, total), 0)

/** `parquet:./out stored 2 value(s) changed: video_description 2 (a lone UTF-16 surrogate stored as U+FFFD)` */
export const describeChanged = (entry: ChangedInSink): string => {
  const each = entry.changes.map((change) => `${change.column} ${change.count.toLocaleString("en-US")} (${changeReasons[change.reason] ?? change.reason})`)
  return `${entry.sink} stored ${changedTotal([entry]).toLocaleString("en-US")} value(s) changed: ${each.join(", ")}`
}
