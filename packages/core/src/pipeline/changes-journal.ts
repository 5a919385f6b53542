import type { ChangedValues } from "../sink/changed-values.js"
import { mergeChangedValues } from "../sink/changed-values.js"

/** What one sink stored changed in the epoch being committed and nobody counted yet. */
export interface SinkChanges {
  /** The sink's name, e.g. `parquet:./out`. */
  readonly sink: string
  readonly changes: ReadonlyArray<ChangedValues>
}

/**
 * Where a run keeps its sinks' changed values durably from before an epoch's flush until they are
 * counted (`PipelineRunOptions.changesJournal`; the CLI's is the run's state). The runner counts an
 * epoch's changes once its checkpoint is saved; a process killed between that save and the caller's
 * own record of the count would lose them while the records stay stored. Held first, they are not
 * lost: a resumed run starts at a committed epoch, and what was held for it or before was committed
 * with it (`settleHeld`); what was held for a later epoch was not, and is delivered and held again.
 */
export interface ChangesJournal {
  /** Before the first write: the run resumes at `epoch` (undefined: its harvest starts over in every sink). */
  resumed(epoch: number | undefined): void | Promise<void>
  /** Before the flush of `epoch`: each sink's changes in it (sinks with none left out). Resolves once durable. */
  hold(epoch: number, changes: ReadonlyArray<SinkChanges>): Promise<void>
  /** The checkpoint of `epoch` is saved: what was held for it (and before) counts. Must not throw. */
  committed(epoch: number): void
}

/**
 * The journal's one rule: held changes of epochs up to `epoch` were committed (`counted`); at a
 * resume the later ones never were (dropped: the resumed run delivers and holds them again), else
 * they wait (`held`). `epoch` undefined at a resume: the harvest starts over, nothing counts.
 */
export const settleHeld = <H extends { readonly epoch: number }>(
  held: ReadonlyArray<H>,
  epoch: number | undefined,
  resuming: boolean
): { readonly counted: ReadonlyArray<H>; readonly held: ReadonlyArray<H> } => ({
  counted: epoch === undefined ? [] : held.filter((entry) => entry.epoch <= epoch),
  held: resuming ? [] : held.filter((entry) => epoch === undefined || entry.epoch > epoch)
})

/** Changes of several epochs, runs or commands added up per sink (in first-seen order), by column and reason. */
export const mergeSinkChanges = (entries: ReadonlyArray<SinkChanges>): Array<SinkChanges> => {
  const bySink = new Map<string, Array<ReadonlyArray<ChangedValues>>>()
  for (const { sink, changes } of entries) bySink.set(sink, [...(bySink.get(sink) ?? []), changes])
  return [...bySink].map(([sink, lists]) => ({ sink, changes: mergeChangedValues(...lists) }))
}
