import type { CheckpointStore, PipelineSummary, ProgressEvent, Source } from "@tikflow/core/internal"
import type { TikTokClient } from "@tikflow/sources/internal"
import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import { combineSummaries } from "./combined-summary.js"
import { recordsOfDays } from "./harvest-history.js"
import { planJob, requestedOf } from "./harvest-plan.js"
import type { HarvestResult, KeptRows } from "./harvest-result.js"
import { dropDeliveredKeys, runJobPipeline } from "./job-pipeline.js"
import { afterJobPipeline, announceComplete, noteReplacedDays } from "./job-outcomes.js"
import { dedupeFollows, jobSource } from "./job-sources.js"
import type { JobSpec } from "./job-spec.js"
import type { OpenRun } from "./open-run.js"
import { outputPathOf } from "./output-set.js"
import { identityOf, itemSettled, type PassHistory, passHistory } from "./pass-history.js"
import { itemHarvestIdOf, itemSourceSpec, planWorkQueue, sharedOutputsOf, type WorkItem, type WorkQueuePlan } from "./work-queue-plan.js"
import { itemCheckpoints, runQueuedJob } from "./work-queue-worker.js"

/** A queued job's plan, and the queue a later job of the run reads this job's ids from. */
export interface QueuedJobPlan {
  readonly jobPlan: ReturnType<typeof planJob>
  /** Undefined when the harvest's history leaves nothing to do. */
  readonly queue: WorkQueuePlan | undefined
  readonly lastQueueId: string | undefined
}

/**
 * A queued job's plan: what the harvest's history leaves to do (a stopped run's pending plan, so
 * every worker of a team plans alike), with its work queue unless nothing is left.
 */
export const planQueued = async (run: OpenRun, job: JobSpec, harvestId: string, list: ReadonlyArray<string> | undefined): Promise<QueuedJobPlan> => {
  const { settings } = run.input
  const record = await run.history.read(harvestId)
  const jobPlan = planJob({
    record,
    requested: requestedOf(job, list),
    outputs: sharedOutputsOf(job),
    fresh: settings.fresh,
    resuming: record?.pending !== null && record?.pending !== undefined && record.status !== "complete",
    now: settings.now()
  })
  const queue = jobPlan.type === "complete" ? undefined : planWorkQueue(job, harvestId, jobPlan)
  // Complete: a later job of this run still reads its ids from the harvest's latest queue (a resumed
  // run whose later job was interrupted finds the list it was planned from).
  const lastQueueId = queue?.queueId ?? await run.workQueue!.lastQueueOf(harvestId)
  return { jobPlan, queue, lastQueueId }
}

/**
 * A job shared through the coordinator's work queue: this process runs the items it claims, and
 * adds its run to the harvest's history there (each worker's share is a run; the coverage is added
 * once every item is done).
 */
export const harvestQueuedJob = async (
  run: OpenRun,
  queue: PostgresWorkQueue,
  job: JobSpec,
  list: ReadonlyArray<string> | undefined,
  { jobPlan, queue: plan, lastQueueId }: QueuedJobPlan
): Promise<HarvestResult | undefined> => {
  const { settings, output } = run.input
  const { runState, display } = run
  const query = run.prepared.queries.get(job.name)
  const { source, label } = jobSource(job.source, { query, list }, settings.concurrency, dedupeFollows(job))
  if (jobPlan.type === "complete" || plan === undefined) {
    if (jobPlan.type === "complete") announceComplete(run, job, jobPlan.record)
    // Finished by others after this worker's earlier attempt was killed: its share, as the queue's rows say.
    if (lastQueueId !== undefined && run.changed.knowsItemsOf(source.harvestId)) {
      await settleItemsLeft(run, queue, { queueId: lastQueueId, items: (await queue.progress(lastQueueId)).items }, source, [])
    }
    await runState.harvestDone(source.harvestId)
    await runState.jobDone(job.name)
    return undefined
  }
  if (jobPlan.reason !== undefined) output.notice(`job ${job.name}: harvesting everything again (${jobPlan.reason})`)
  if (jobPlan.refetched.length > 0) {
    // Each work item is its own harvest: the earlier items' rows are not this run's to replace.
    output.notice(
      `job ${job.name}: fetching ${jobPlan.refetched.length} provisional day(s) again (${jobPlan.refetched.join(", ")}): ` +
        "with a coordinator, database outputs update those rows by key and file outputs keep the earlier rows beside the new ones"
    )
  }
  const pass = passHistory(run, source, jobPlan.items ?? list ?? [])
  const begun = await pass.begin(identityOf(job, source.harvestId, source.stream, query), jobPlan, sharedOutputsOf(job))
  const rowsBefore = recordsOfDays(begun, jobPlan.refetched)
  await runState.save()
  display.tracker.begin(run.spec.jobs.length > 1 ? `${job.name}: ${label}` : label)
  run.current = { job: job.name, stream: source.stream, harvestId: source.harvestId }
  run.written = 0
  let summary: PipelineSummary
  try {
    summary = await runJobQueued(run, queue, plan, job, source, label, pass)
  } catch (error) {
    await pass.failed(error, undefined)
    throw error
  }
  run.summaries.push(summary)
  if (summary.status === "interrupted") await pass.interrupted(undefined)
  const stopped = await afterJobPipeline(run, job, summary)
  if (stopped !== undefined) return stopped
  await run.refused.settled()
  await run.changed.settled()
  // Every item is done (the worker waited for the others): the first worker to get here covers the plan.
  const ended = await pass.ended("complete", undefined)
  if (jobPlan.refetched.length > 0) noteReplacedDays(run, job, source, jobPlan.refetched, { before: rowsBefore, after: ended }, keptByFileOutputs(job, rowsBefore))
  await runState.harvestDone(source.harvestId)
  await runState.jobDone(job.name)
  return undefined
}

/**
 * Provisional days a queued job fetched again: database outputs updated their rows by key, each file
 * output kept every earlier row of those days beside the new ones — counted, so the run says so and
 * exits 7 as any run whose output kept copies.
 */
const keptByFileOutputs = (job: JobSpec, rowsBefore: number): Array<KeptRows> =>
  job.sinks.filter((sink) => outputPathOf(sink) !== undefined)
    .map((sink): KeptRows => ({ sink: sink.uri, rows: rowsBefore, reason: "work-queue" }))

/**
 * This process's share of a job whose items (date windows, chunks of the list) are queued in the
 * coordinator: each claimed item runs as its own pipeline, checkpointed on its queue row. One
 * summary for the job; `interrupted` when a signal stopped the worker.
 */
const runJobQueued = async (
  run: OpenRun,
  queue: PostgresWorkQueue,
  plan: WorkQueuePlan,
  job: JobSpec,
  source: Source<any, TikTokClient>,
  label: string,
  pass: PassHistory
): Promise<PipelineSummary> => {
  const { settings, output, signal } = run.input
  const started = Date.now()
  const queued = await runQueuedJob({
    queue,
    plan,
    label,
    harvestId: source.harvestId,
    fresh: settings.fresh,
    signal: run.limit?.signalFor(signal) ?? signal,
    output,
    runItem: (item, index, checkpoints, itemSignal) =>
      runQueuedItem(run, job, { source, queueId: plan.queueId, item, index }, checkpoints, itemSignal, pass)
  })
  await settleItemsLeft(run, queue, { queueId: plan.queueId, items: plan.items.length }, source, queued.summaries)
  return {
    ...combineSummaries({ harvestId: source.harvestId, stream: source.stream, recordKind: source.kind }, queued.summaries, Date.now() - started),
    status: queued.interrupted ? "interrupted" : "completed"
  }
}

/**
 * The items of the job's queue this run state knows changes of and this attempt did not finish (a
 * SIGKILLed earlier attempt's, an item lost with its lease): counted as their queue rows say
 * (`itemSettled`), so this worker's summary counts what it committed itself, once.
 */
const settleItemsLeft = async (
  run: OpenRun,
  queue: PostgresWorkQueue,
  { queueId, items }: { readonly queueId: string; readonly items: number },
  source: { readonly harvestId: string; readonly stream: string },
  finished: ReadonlyArray<PipelineSummary>
): Promise<void> => {
  const done = new Set(finished.filter((summary) => summary.status === "completed").map((summary) => summary.harvestId))
  for (let index = 0; index < items; index++) {
    const itemHarvestId = itemHarvestIdOf(source.stream, queueId, index)
    if (!done.has(itemHarvestId) && run.changed.knows(itemHarvestId)) await itemSettled(run, source, itemCheckpoints(queue, queueId, index), itemHarvestId)
  }
}

/**
 * One claimed item of a queued job through the job's pipeline, as its own harvest (the job's source
 * narrowed to the item), counting its records per created day in its checkpoints. A finished
 * item's counts and items go to the harvest's history, and its delivered keys are dropped.
 */
const runQueuedItem = async (
  run: OpenRun,
  job: JobSpec,
  { source, queueId, item, index }: { source: Source<any, TikTokClient>; queueId: string; item: WorkItem; index: number },
  checkpoints: CheckpointStore,
  itemSignal: AbortSignal,
  pass: PassHistory
): Promise<PipelineSummary> => {
  const { settings } = run.input
  const narrowed = itemSourceSpec(job.source, item)
  const harvestId = itemHarvestIdOf(source.stream, queueId, index)
  const itemSource = jobSource(narrowed.spec, { query: run.prepared.queries.get(job.name), list: narrowed.list }, settings.concurrency, dedupeFollows(job)).source
  const counted = pass.itemCounts(checkpoints, harvestId)
  const summary = await runJobPipeline(run, job, { ...itemSource, harvestId }, counted.checkpoints, itemSignal, false, pass.onProgress,
    counted.changesJournal, [counted.counter])
  if (summary.status === "completed") {
    // Before the item is marked done, so the counts are whole once every item is.
    // With its fan-out items (covered now) and the run's progress so far.
    await pass.itemDone(harvestId, narrowed.list ?? [], counted.counts)
    await dropDeliveredKeys(settings.stateDir, harvestId)
  }
  return summary
}
