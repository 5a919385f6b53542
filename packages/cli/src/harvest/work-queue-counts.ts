import type { BoundSink, Checkpoint, CheckpointStore, SinkWriter, StreamContext } from "@tikflow/core/internal"
import { dayCountingWriter } from "./harvest-history.js"

/**
 * A sink, internal to the CLI, counting one work-queue item's records per created day (videos; `*`
 * for other kinds) as committed, for the harvest's history. The counts travel in the item's
 * checkpoint (`withCounts`), so an item taken over after a worker died continues from the counts of
 * the epoch it resumes: exact, like the data.
 */
export const dayCounter = (initial: Readonly<Record<string, number>> = {}): { readonly sink: BoundSink; readonly counts: Record<string, number> } => {
  const counts: Record<string, number> = { ...initial }
  const sink: BoundSink = {
    name: "history:item-counts",
    async open(context: StreamContext): Promise<SinkWriter> {
      return dayCountingWriter(context.recordKind, counts, async () => {})
    }
  }
  return { sink, counts }
}

/** A checkpoint carrying the item's committed counts per created day. */
type CountedCheckpoint = Checkpoint & { readonly dayCounts?: Readonly<Record<string, number>> }

/** The counts an item's saved checkpoint carries (none for a fresh item). */
export const countsOf = (checkpoint: Checkpoint | undefined): Readonly<Record<string, number>> =>
  (checkpoint as CountedCheckpoint | undefined)?.dayCounts ?? {}

/** The item's checkpoint store, saving the counter's committed counts with each checkpoint. */
export const withCounts = (store: CheckpointStore, counts: Readonly<Record<string, number>>): CheckpointStore => ({
  name: store.name,
  load: (harvestId) => store.load(harvestId),
  save: (checkpoint) => store.save({ ...checkpoint, dayCounts: { ...counts } } as CountedCheckpoint),
  clear: (harvestId) => store.clear(harvestId)
})
