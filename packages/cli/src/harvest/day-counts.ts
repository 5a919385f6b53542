import type { AnyRecord, BoundSink, Checkpoint, CheckpointStore, SinkWriter, StreamContext } from "@tikflow/core/internal"
import { EpochPending } from "./epoch-pending.js"
import { savingWith } from "./job-checkpoints.js"

/**
 * A sink, internal to the CLI, counting the records the job's sinks receive per created day (videos;
 * `*` for other kinds) as committed, for the harvest's history. The counts travel in the job's (or
 * work-queue item's) checkpoint (`withCounts`), so a run resumed after a crash, or an item taken
 * over after a worker died, continues from the counts of the epoch it resumes: exact, like the data.
 * `initial` gives the counts at the epoch the sink opens at (the runner may reopen it at a lower one).
 */
export const dayCounter = (
  initial: (context: StreamContext) => Promise<Readonly<Record<string, number>>> | Readonly<Record<string, number>>
): { readonly sink: BoundSink; readonly counts: Record<string, number>; readonly committedRecords: () => number } => {
  const counts: Record<string, number> = {}
  const committed = { records: 0 }
  const sink: BoundSink = {
    name: "history:day-counts",
    async open(context: StreamContext): Promise<SinkWriter> {
      const resumed = await initial(context)
      for (const day of Object.keys(counts)) delete counts[day]
      Object.assign(counts, resumed)
      committed.records = 0
      return dayCountingWriter(context.recordKind, counts, committed)
    }
  }
  return { sink, counts, committedRecords: () => committed.records }
}

/** A checkpoint carrying the committed counts per created day. */
type CountedCheckpoint = Checkpoint & { readonly dayCounts?: Readonly<Record<string, number>> }

/** The counts a saved checkpoint carries; undefined for none (a fresh item, a `continue` pass's start, an older tikflow's). */
export const countsOf = (checkpoint: Checkpoint | undefined): Readonly<Record<string, number>> | undefined =>
  (checkpoint as CountedCheckpoint | undefined)?.dayCounts

/**
 * The committed counts at the epoch a counted pipeline resumes (`epoch`; none when it starts
 * fresh): its checkpoint's when the checkpoint is of that epoch (another checkpoint store, a
 * sink's own, may have made the runner resume lower), else `earlier(epoch)` (a job's history keeps
 * the counts of its last two commits; a `continue` pass starts from them without a checkpoint),
 * else undefined: the caller says its counts restart. One rule for a job's pass and a work-queue item.
 */
export const countsAtResume = async (
  checkpoints: CheckpointStore,
  harvestId: string,
  epoch: number | undefined,
  earlier: (epoch: number) => Promise<Readonly<Record<string, number>> | undefined>
): Promise<Readonly<Record<string, number>> | undefined> => {
  if (epoch === undefined) return {}
  const saved = await checkpoints.load(harvestId)
  return (saved?.epoch === epoch ? countsOf(saved) : undefined) ?? await earlier(epoch)
}

/** The job's checkpoint store, saving the counter's committed counts with each checkpoint. */
export const withCounts = (store: CheckpointStore, counts: Readonly<Record<string, number>>): CheckpointStore =>
  savingWith(store, (): Pick<CountedCheckpoint, "dayCounts"> => ({ dayCounts: { ...counts } }))

/**
 * A writer adding each committed epoch's records per created day to `counts` (uncommitted ones are
 * held apart, by epoch) and their number to `committed.records` (this opening's). It takes the next
 * epoch's writes while a flush runs (`writesDuringFlush`): without it, being in every harvest, it
 * kept the runner's commit strict for every sink — the harvest stopped at each epoch until the
 * DuckDB merge or the Parquet parts were done.
 */
const dayCountingWriter = (kind: StreamContext["recordKind"], counts: Record<string, number>, committed: { records: number }): SinkWriter => {
  const pending = new EpochPending<Record<string, number>>(() => ({}))
  return {
    writesDuringFlush: true,
    async write(batch) {
      const days = pending.of(batch.epoch)
      for (const record of batch.records) {
        const day = createdDayOf(record, kind)
        days[day] = (days[day] ?? 0) + 1
      }
    },
    async flush(commit) {
      for (const days of pending.takeThrough(commit.epoch)) {
        for (const [day, n] of Object.entries(days)) {
          counts[day] = (counts[day] ?? 0) + n
          committed.records += n
        }
      }
    },
    async close() {}
  }
}

const DAY_MS = 86_400_000

/** The UTC creation day of a record, `YYYY-MM-DD`, for a video; `*` for records of other kinds. */
const createdDayOf = (record: AnyRecord, kind: StreamContext["recordKind"]): string => {
  if (kind !== "video") return "*"
  const seconds = (record as { create_time?: number | null }).create_time
  return typeof seconds === "number" ? dayText(Math.floor(seconds * 1000 / DAY_MS)) : "*"
}

// A harvest's records fall on a few hundred days: each day's text is made once, not per record.
const dayTexts = new Map<number, string>()
const dayText = (day: number): string => {
  let text = dayTexts.get(day)
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10)
    if (dayTexts.size < 100_000) dayTexts.set(day, text)
  }
  return text
}
