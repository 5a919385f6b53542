import type { ChangedValues } from "../sink/changed-values.js"
import { mergeChangedValues } from "../sink/changed-values.js"

/**
 * One sink's changed values, counted when their epoch commits: a write's changes wait with its
 * epoch until the checkpoint after it is saved. An epoch that never commits (a failed write, flush
 * or save; a crash) is delivered again on resume and counted by the run that commits it, once.
 */
export interface CommittedChanges {
  /** What a write of `epoch` said it changed. */
  wrote(epoch: number, changes: ReadonlyArray<ChangedValues>): void
  /** What writes of epochs up to `epoch` said and is not counted yet (what a journal holds before the flush). */
  pending(epoch: number): ReadonlyArray<ChangedValues>
  /** Epochs up to `epoch` are committed: their changes count, and are returned (undefined: none). */
  committed(epoch: number): ReadonlyArray<ChangedValues> | undefined
  /** The committed changes, by column and reason. */
  readonly counted: ReadonlyArray<ChangedValues>
}

export const committedChanges = (): CommittedChanges => {
  let counted: ReadonlyArray<ChangedValues> = []
  // Few entries: at most the pages of the open epoch (and the one flushing) that changed anything.
  let waiting: Array<{ readonly epoch: number; readonly changes: ReadonlyArray<ChangedValues> }> = []
  return {
    wrote(epoch, changes) {
      if (changes.length > 0) waiting.push({ epoch, changes })
    },
    pending(epoch) {
      return waiting.length === 0 ? [] : mergeChangedValues(...waiting.filter((entry) => entry.epoch <= epoch).map((entry) => entry.changes))
    },
    committed(epoch) {
      if (waiting.length === 0) return undefined
      const now = mergeChangedValues(...waiting.filter((entry) => entry.epoch <= epoch).map((entry) => entry.changes))
      waiting = waiting.filter((entry) => entry.epoch > epoch)
      if (now.length === 0) return undefined
      counted = mergeChangedValues(counted, now)
      return now
    },
    get counted() {
      return counted
    }
  }
}
