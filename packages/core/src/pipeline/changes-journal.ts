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
 * with it (`settleHeld`); what was held — or counted — for a later epoch is not stored any more (every
 * sink discarded it), and is delivered, held and counted again.
 */
export interface ChangesJournal {
  /**
   * Before the first write: the run resumes at `epoch` (undefined: its harvest starts over in every
   * sink) in the sinks named `sinks`, which discard every later epoch: what was counted of those
   * epochs in those sinks no longer stands (older callers ignore `sinks`).
   */
  resumed(epoch: number | undefined, sinks: ReadonlyArray<string>): void | Promise<void>
  /** Before the flush of `epoch`: each sink's changes in it (sinks with none left out). Resolves once durable. */
  hold(epoch: number, changes: ReadonlyArray<SinkChanges>): Promise<void>
  /** The checkpoint of `epoch` is saved: what was held for it (and before) counts. Must not throw. */
  committed(epoch: number): void
}

/**
 * The journal's one rule, over one sink's (or pipeline's) changes kept per epoch: `counted` (their
 * epoch committed) and `held` (before their epoch's flush). At a commit of `epoch` the held ones up to
 * it count. At a resume at `epoch` every sink discards the later epochs, so what was counted or held
 * for them is dropped (the resumed run delivers, holds and counts them again: an epoch delivered
 * twice counts once, a resume below what was counted included), and the held ones up to it count;
 * `epoch` undefined: the harvest starts over, nothing stands.
 */
export const settleHeld = <H extends { readonly epoch: number }>(
  journal: { readonly counted: ReadonlyArray<H>; readonly held: ReadonlyArray<H> },
  epoch: number | undefined,
  resuming: boolean
): { readonly counted: ReadonlyArray<H>; readonly held: ReadonlyArray<H> } => {
  const standing = (entry: H) => epoch !== undefined && entry.epoch <= epoch
  if (resuming) return { counted: [...journal.counted, ...journal.held].filter(standing), held: [] }
  return { counted: [...journal.counted, ...journal.held.filter(standing)], held: journal.held.filter((entry) => !standing(entry)) }
}

/** Changes of several epochs, runs or commands added up per sink (in first-seen order), by column and reason. */
export const mergeSinkChanges = (entries: ReadonlyArray<SinkChanges>): Array<SinkChanges> => {
  const bySink = new Map<string, Array<ReadonlyArray<ChangedValues>>>()
  for (const { sink, changes } of entries) bySink.set(sink, [...(bySink.get(sink) ?? []), changes])
  return [...bySink].map(([sink, lists]) => ({ sink, changes: mergeChangedValues(...lists) }))
}
