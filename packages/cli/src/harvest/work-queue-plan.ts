import { dateWindows, harvestIdOf } from "@tikflow/sources/internal"
import type { JobSpec, SourceSpec } from "./job-spec.js"
import { outputPathOf, outputSetOf } from "./output-set.js"

/** One item of a work queue: a date window of a video query, or a chunk of a fan-out's ids or usernames. */
export type WorkItem =
  | { readonly window: readonly [string, string] }
  | { readonly keys: ReadonlyArray<string> }

/** A job's work as a queue: its id (the same on every machine running the same command) and its items. */
export interface WorkQueuePlan {
  readonly queueId: string
  readonly items: ReadonlyArray<WorkItem>
}

/**
 * Ids or usernames per fan-out item: about 100 items for a long list, so a few workers share it
 * evenly and a dead worker's item is a small share to redo; at least 10 a chunk (each item runs its
 * own pipeline and commits), at most 500.
 */
export const chunkSizeOf = (keys: number): number => Math.min(500, Math.max(10, Math.ceil(keys / 100)))

const chunk = (list: ReadonlyArray<string>, size: number): Array<ReadonlyArray<string>> =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size))

/**
 * The outputs as the queue knows them. A file sink's path is each worker's own partition (every
 * machine writes its own files), so it names only its kind; shared outputs (a database, a URL)
 * keep their identity: workers writing to other databases are other queues.
 */
export const sharedOutputsOf = (job: JobSpec): ReadonlyArray<string> =>
  job.sinks.map((sink) => {
    const identity = outputSetOf([sink])[0]!
    return outputPathOf(sink) === undefined ? identity : `${identity.split(":")[0]}:(each worker's own)`
  }).sort()

/**
 * Splits the work of a job into items: the date windows of a video query's day ranges
 * (`--window-days` sets their size, so also how many workers can share it), or chunks of a
 * fan-out's list. The work is what the harvest's history leaves to do (every worker plans it
 * alike). The queue id hashes the harvest, the items and the shared outputs: the same command on
 * any machine finds the same queue, and other work or another database is another queue.
 */
export const planWorkQueue = (
  job: JobSpec,
  harvestId: string,
  work: { readonly days?: ReadonlyArray<readonly [string, string]> | undefined; readonly items?: ReadonlyArray<string> | undefined }
): WorkQueuePlan => {
  const source = job.source
  const items: ReadonlyArray<WorkItem> = source.endpoint === "videos"
    ? (work.days ?? [[source.from, source.to] as const]).flatMap(([from, to]) => dateWindows(from, to, source.windowDays).map((window) => ({ window })))
    : chunk(work.items ?? [], chunkSizeOf(work.items?.length ?? 0)).map((keys) => ({ keys }))
  return { queueId: harvestIdOf("queue", { harvestId, items, outputs: sharedOutputsOf(job) }), items }
}

/** The job's source narrowed to one item: the window's days, or the chunk's ids. */
export const itemSourceSpec = (spec: SourceSpec, item: WorkItem): { readonly spec: SourceSpec; readonly list?: ReadonlyArray<string> } => {
  if ("window" in item) {
    if (spec.endpoint !== "videos") throw new Error(`work item ${JSON.stringify(item)} does not fit a ${spec.endpoint} job`)
    return { spec: { ...spec, from: item.window[0], to: item.window[1] } }
  }
  return { spec, list: item.keys }
}

/**
 * An item's harvest id: its checkpoints, dedupe keys and sink rows are its own, and stay apart from
 * other queues' items whatever the harvest ids of the job look like.
 */
export const itemHarvestIdOf = (stream: string, queueId: string, item: number): string => harvestIdOf(stream, { queueId, item })

