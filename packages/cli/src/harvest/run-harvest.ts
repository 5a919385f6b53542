import { rm } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import {
  type BoundSink,
  type CheckpointStore,
  type HarvestRecord,
  type HistoryStore,
  utcDay,
  dedupe,
  enrichAs,
  FileCheckpointStore,
  lookupFromSource,
  lookupJoin,
  machineQuotaLedgerPath,
  persistentKeys,
  pipeline,
  type PipelineSummary,
  type ProgressEvent,
  type RetryPolicy,
  type Source,
  toPromise,
  type Transform
} from "@tikflow/core/internal"
import { createTikTokClient, TikTokClient, userInfo, type VideoQueryFilter } from "@tikflow/sources/internal"
import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import { CliError } from "../cli-error.js"
import type { CommandInput } from "../commands/command.js"
import { ExitCode } from "../exit-codes.js"
import { describeFailure } from "../failure.js"
import { type ProgressDisplay, startProgressDisplay } from "../progress/progress-display.js"
import { exitCodeForSignal } from "../signals.js"
import { combineSummaries } from "./combined-summary.js"
import { openHistory } from "./coordinator-history.js"
import { openCoordinatorQueue } from "./coordinator-queue.js"
import { type CoordinatorQuota, openCoordinatorQuota } from "./coordinator-quota.js"
import { type CollectedField, idCollector } from "./id-collector.js"
import { dryRun } from "./dry-run.js"
import { addPendingCounts, beginRun, coverageCounter, endRun, harvestedAt, type RunOutcome } from "./harvest-history.js"
import { daysOfRanges, type JobPlan, planJob, requestedOf } from "./harvest-plan.js"
import { JobCheckpoints, type JobStart, outputsDifferNotice } from "./job-checkpoints.js"
import { dedupeFollows, harvestRequestOf, type JobSource, jobSource } from "./job-sources.js"
import type { JobSpec, RunSpec, TransformSpec } from "./job-spec.js"
import type { GlobalSettings } from "../args/global-settings.js"
import { resolveListInput } from "./list-inputs.js"
import { outputSetOf } from "./output-set.js"
import { listField, listInputOf, type PreparedRun, prepareRun } from "./prepare-run.js"
import { withWorkProgress } from "./progress-source.js"
import { acquireRunLock, type RunLock, runLockTargets } from "./run-lock.js"
import { RecordLimit } from "./record-limit.js"
import { RunState } from "./run-state.js"
import { type HarvestRefusals, RefusedItems } from "./refused-items.js"
import { printRunSummary } from "./run-summary.js"
import { queueCollector } from "./work-queue-collector.js"
import { countsOf, dayCounter, withCounts } from "./work-queue-counts.js"
import { itemHarvestIdOf, itemSourceSpec, planWorkQueue, sharedOutputsOf, type WorkQueuePlan } from "./work-queue-plan.js"
import { runQueuedJob } from "./work-queue-worker.js"

type TikTokClientHandle = ReturnType<typeof createTikTokClient>
type HarvestingPlan = Exclude<JobPlan, { type: "complete" }>
type JobSourceValue = JobSource["source"]

export interface HarvestOptions {
  /** Plugins to load first (a pipeline file's `plugins`), besides `--plugin`. */
  readonly plugins?: ReadonlyArray<{ readonly specifier: string; readonly field: string }>
  /** The command that resumes this run, for the message after an interruption. */
  readonly resumeCommand?: string
  /** Retry schedule overrides (the demo's local sandbox needs no 2-second backoff on 429s). */
  readonly retry?: { readonly schedules?: Partial<RetryPolicy["schedules"]>; readonly maxRetries?: number }
}

export interface HarvestResult {
  readonly exitCode: ExitCode
  readonly summaries: ReadonlyArray<PipelineSummary>
  /** The job the daily quota stopped (exit 4): its records so far are committed, the rest resumes. */
  readonly stoppedByQuota?: StoppedJob | undefined
  readonly requests: number
  readonly retries: Readonly<Record<string, number>>
  readonly durationMs: number
  /** Items the API refused (unknown videos, private accounts or lists), per harvest that had any. */
  readonly refused: ReadonlyArray<HarvestRefusals>
  /** Jobs skipped because their harvest's history covers everything they ask for (no request sent). */
  readonly alreadyComplete: ReadonlyArray<AlreadyComplete>
  /** The run stopped at `--max-records` (exit 6): what it delivered is committed, a re-run continues. */
  readonly stoppedAtMaxRecords?: StoppedAtLimit | undefined
}

export interface AlreadyComplete {
  readonly job: string
  readonly harvestId: string
  readonly records: number
  /** When the harvest last completed a run (ISO time). */
  readonly harvestedAt: string
}

export interface StoppedAtLimit {
  /** The job that reached the limit, and the harvest it continues. */
  readonly job: string
  readonly stream: string
  readonly harvestId: string
  /** The limit, and the records the run delivered (its last page may take it past the limit). */
  readonly maxRecords: number
  readonly records: number
}

export interface StoppedJob {
  readonly job: string
  readonly stream: string
  readonly harvestId: string
  /** Records the job's sinks received in this run before the stop (committed: a re-run resumes after them). */
  readonly records: number
  readonly resetAt: string
}

/**
 * Runs the jobs of a run in order: checks everything first (credentials, sinks, queries, input
 * files) so bad input fails before any request, then harvests each job's source through its
 * transforms into its sinks with checkpoints in the state directory. Re-running resumes; SIGINT
 * and SIGTERM commit what the sinks hold and exit 130/143; a spent quota exits 4, resumable.
 */
export const runHarvest = async (spec: RunSpec, input: CommandInput, options: HarvestOptions = {}): Promise<ExitCode> =>
  (await harvest(spec, input, options)).exitCode

export const harvest = async (spec: RunSpec, input: CommandInput, options: HarvestOptions = {}): Promise<HarvestResult> => {
  const startedAt = Date.now()
  const plugins = [
    ...(options.plugins ?? []),
    ...((input.values.plugin as ReadonlyArray<string> | undefined) ?? []).map((specifier) => ({ specifier, field: "--plugin" }))
  ]
  const limit = RecordLimit.fromFlag(input.values["max-records"] as string | undefined)
  const prepared = await prepareRun(spec, input, plugins)
  if (input.values["dry-run"] === true) {
    await dryRun(spec, input, prepared)
    return { exitCode: ExitCode.Done, summaries: [], requests: 0, retries: {}, durationMs: Date.now() - startedAt, refused: [], alreadyComplete: [] }
  }
  const run = await openRun(spec, input, options, prepared, startedAt, limit)
  try {
    if (run.runState.existed) {
      input.output.notice(`resuming run ${run.runState.id} (${run.runState.harvestsDone.length} of ${spec.jobs.length} jobs done earlier)`)
    }
    for (const job of spec.jobs) {
      if (input.signal.aborted) break
      if (run.limit?.reached) return await stoppedAtLimit(run)
      const interrupted = await harvestJob(run, job)
      if (interrupted !== undefined) return interrupted
    }
    if (input.signal.aborted) {
      run.display.stop()
      input.output.notice("interrupted before the next job started; run the same command again to resume")
      return run.result(exitCodeForSignal(input.signal.reason))
    }
    return await finishRun(run)
  } catch (error) {
    return await failedRun(run, error)
  } finally {
    // A coordinator gone away cannot take the quota block back: it is reaped as used later (never
    // under-counted). Said, not thrown, so it does not hide what ended the run.
    await run.client.close().catch((error: unknown) =>
      input.output.notice(`quota ledger: giving back this run's unsent units failed (${describeFailure(error).message}); they count as used`)
    )
    await run.coordinator?.close()
    await run.workQueue?.close()
    await run.closeHistory()
    await run.lock.release()
  }
}

/** One run in progress: what its jobs share, and what a stop or the summary reports. */
interface OpenRun {
  readonly spec: RunSpec
  readonly input: CommandInput
  readonly options: HarvestOptions
  readonly prepared: PreparedRun
  readonly coordinator: CoordinatorQuota | undefined
  /** The coordinator's work queue: each job's items are shared with every process running the same command. */
  readonly workQueue: PostgresWorkQueue | undefined
  /** Each queued job's queue, by job name: where later jobs read the ids it collected. */
  readonly queueIds: Map<string, string>
  readonly lock: RunLock
  readonly runState: RunState
  readonly checkpoints: FileCheckpointStore
  readonly collect: ReadonlyMap<string, ReadonlyArray<CollectedField>>
  readonly display: ProgressDisplay
  readonly client: TikTokClientHandle
  readonly summaries: Array<PipelineSummary>
  readonly refused: RefusedItems
  /** `--max-records`, when given. */
  readonly limit: RecordLimit | undefined
  readonly history: HistoryStore
  readonly closeHistory: () => Promise<void>
  /** Jobs whose harvest was complete already: nothing sent for them. */
  readonly alreadyComplete: Array<AlreadyComplete>
  /** The job running now, for what a quota stop reports. */
  current: { readonly job: string; readonly stream: string; readonly harvestId: string } | undefined
  /** Records the current job's sinks received: what a stop reports (the pipeline commits them). */
  written: number
  readonly result: (exitCode: ExitCode, stoppedByQuota?: StoppedJob, stoppedAtMaxRecords?: StoppedAtLimit) => HarvestResult
}

/** Takes the run's lock and opens its state, checkpoints, progress display and API client. */
const openRun = async (
  spec: RunSpec,
  input: CommandInput,
  options: HarvestOptions,
  prepared: PreparedRun,
  startedAt: number,
  limit: RecordLimit | undefined
): Promise<OpenRun> => {
  const { settings, output, env } = input
  const { credentials } = prepared
  // The team's ledger, when one is named: connecting now fails before any request.
  const coordinator = settings.coordinator === undefined ? undefined : await openCoordinatorQuota(settings.coordinator, credentials.clientKey, output)
  const workQueue = settings.coordinator === undefined
    ? undefined
    : await openCoordinatorQueue(settings.coordinator, output).catch(async (error: unknown) => {
      await coordinator?.close()
      throw error
    })
  const history = await openHistory(settings, output).catch(async (error: unknown) => {
    await coordinator?.close()
    await workQueue?.close()
    throw error
  })
  const lock = await acquireRunLock(runLockTargets(settings.stateDir, spec)).catch(async (error: unknown) => {
    await coordinator?.close()
    await workQueue?.close()
    await history.close()
    throw error
  })
  const runState = await RunState.open(settings.stateDir, spec, settings.fresh)
  const checkpoints = new FileCheckpointStore(join(settings.stateDir, "checkpoints"))
  const display = startProgressDisplay(output, { label: spec.label, env })
  const client = createTikTokClient({
    baseUrl: settings.baseUrl,
    credentials,
    rate: settings.rate,
    quota: {
      limit: settings.dailyQuota,
      ledgerPath: settings.quotaLedgerPath ?? machineQuotaLedgerPath(credentials.clientKey, env),
      store: coordinator,
      onExhausted: settings.onQuota
    },
    ...(options.retry ? { retry: options.retry } : {}),
    // Progress comes through each pipeline run's listener (the client's would repeat every event).
    clock: settings.now
  })
  const summaries: Array<PipelineSummary> = []
  const alreadyComplete: Array<AlreadyComplete> = []
  const refused = await RefusedItems.open(join(runState.dir, "refused-items.json"))
  const result = (exitCode: ExitCode, stoppedByQuota?: StoppedJob, stoppedAtMaxRecords?: StoppedAtLimit): HarvestResult => {
    const totals = display.tracker.totals()
    return {
      exitCode,
      summaries,
      stoppedByQuota,
      stoppedAtMaxRecords,
      requests: totals.requests,
      retries: totals.retries,
      durationMs: Date.now() - startedAt,
      refused: refused.refusals(),
      alreadyComplete
    }
  }
  return {
    spec,
    input,
    options,
    prepared,
    coordinator,
    workQueue,
    queueIds: new Map(),
    lock,
    runState,
    checkpoints,
    collect: collectedFields(spec),
    display,
    client,
    summaries,
    refused,
    limit,
    history: history.store,
    closeHistory: () => history.close(),
    alreadyComplete,
    current: undefined,
    written: 0,
    result
  }
}

/**
 * Harvests one job into its sinks, or skips it (empty input list, harvest finished earlier in
 * this run, or complete in its history). Returns the run's result when a signal interrupted it,
 * undefined when the run goes on. A pass that resumed a stopped run is followed by one for what
 * the job asks for beyond that run's plan.
 */
const harvestJob = async (run: OpenRun, job: JobSpec): Promise<HarvestResult | undefined> => {
  const { settings, output } = run.input
  const { runState } = run
  const list = await jobList(run, job)
  if (list !== undefined && list.length === 0) {
    const input = listInputOf(job)
    const upstreamComplete = input?.kind === "job" && run.alreadyComplete.some((done) => done.job === input.job)
    output.notice(`job ${job.name}: nothing to harvest (${upstreamComplete ? `job ${input.job} is already complete, nothing new came from it` : "its input list is empty"})`)
    await runState.jobDone(job.name)
    return undefined
  }
  const query = run.prepared.queries.get(job.name)
  const { source: whole } = jobSource(job.source, { query, list }, settings.concurrency)
  const harvestId = whole.harvestId
  // Known before a skip: a later job reads this job's ids from its queue.
  const queued = run.workQueue === undefined ? undefined : await planQueued(run, job, harvestId, list)
  if (queued?.lastQueueId !== undefined) run.queueIds.set(job.name, queued.lastQueueId)
  // By job: two jobs of one run may extend the same harvest (one query over two ranges).
  if (runState.isJobDone(job.name)) {
    output.notice(`job ${job.name}: harvest ${harvestId} finished in an earlier run, skipped`)
    return undefined
  }
  // With a coordinator, checkpoints are the work queue's, per item, in its database (no file history yet).
  if (run.workQueue !== undefined) return harvestQueuedJob(run, run.workQueue, job, list, queued!)
  const outputs = outputSetOf(job.sinks)
  const jobCheckpoints = new JobCheckpoints(run.checkpoints, outputs)
  const requested = requestedOf(job, list)
  for (let pass = 0;; pass++) {
    const fresh = settings.fresh && pass === 0
    const start = fresh ? undefined : await jobCheckpoints.start(harvestId)
    const record = await run.history.read(harvestId)
    const plan = planJob({ record, requested, outputs, fresh, resuming: start?.type === "resume", now: settings.now() })
    if (plan.type === "complete") {
      if (pass === 0) announceComplete(run, job, plan.record)
      break
    }
    // A checkpoint is only resumed with the plan it was saved for; a fresh start leaves none behind
    // (killed before its first commit, the next run starts over too, rather than resume the old plan).
    if ((start?.type === "resume" && plan.type !== "resume") || plan.type === "fresh") await jobCheckpoints.clear(harvestId)
    announcePlan(run, job, plan, start, record)
    if (plan.type === "continue" && record !== undefined && record.lastEpoch > 0) {
      // Epochs only grow across the runs of a harvest: sinks keep what earlier runs committed.
      await jobCheckpoints.save({ version: 1, harvestId, epoch: record.lastEpoch, state: null, updatedAt: new Date(settings.now()).toISOString() })
    }
    await run.history.update(harvestId, (current) =>
      beginRun(current, identityOf(job, harvestId, whole.stream, query), plan, outputs, new Date(settings.now()).toISOString()))
    const { source, keys, label } = jobSource(job.source, { query, list: plan.items ?? list, days: plan.days }, settings.concurrency, dedupeFollows(job))
    const interrupted = await runHistoryPass(run, job, { source, keys, label }, jobCheckpoints, plan)
    if (interrupted !== undefined) return interrupted
    if (plan.type !== "resume") break
  }
  await runState.harvestDone(harvestId)
  await runState.jobDone(job.name)
  return undefined
}

/** The harvest's identity as its history keeps it: endpoint and normalized request, without range or list. */
const identityOf = (job: JobSpec, id: string, stream: string, query: VideoQueryFilter | undefined) => ({
  id,
  endpoint: job.source.endpoint,
  stream,
  request: {
    ...harvestRequestOf(job.source, query),
    ...(job.source.endpoint === "videos" && typeof job.source.query === "string" ? { queryText: job.source.query } : {})
  }
})

/** `already complete: …`: the job's harvest covers everything asked for; nothing is sent. */
const announceComplete = (run: OpenRun, job: JobSpec, record: HarvestRecord): void => {
  const at = harvestedAt(record)
  const prefix = run.spec.jobs.length > 1 ? `job ${job.name}: ` : ""
  run.alreadyComplete.push({ job: job.name, harvestId: record.id, records: record.records, harvestedAt: at })
  run.input.output.notice(
    `${prefix}already complete: ${record.records} records, harvested ${at.slice(0, 10)}; --fresh to harvest again`,
    { event: "already-complete", job: job.name, harvestId: record.id, records: record.records, harvestedAt: at }
  )
}

/** Says where the pass starts and what it fetches beyond a plain first run. */
const announcePlan = (run: OpenRun, job: JobSpec, plan: HarvestingPlan, start: JobStart | undefined, record: HarvestRecord | undefined): void => {
  const { output } = run.input
  const id = record?.id ?? ""
  if (start?.type === "resume" && plan.type === "resume") output.notice(`resuming harvest ${id} from epoch ${start.checkpoint.epoch}`)
  if (start?.type === "outputs-differ") output.notice(outputsDifferNotice(id, start.previous))
  if (plan.reason !== undefined) output.notice(`job ${job.name}: harvesting everything again (${plan.reason})`)
  if (plan.type !== "continue" || record === undefined) return
  const what = plan.days !== undefined
    ? `${daysOfRanges(plan.days).length} day(s) not covered yet or provisional (${plan.days.map(([a, b]) => a === b ? a : `${a}..${b}`).join(", ")})`
    : `${plan.items?.length ?? 0} item(s) not covered yet`
  output.notice(`harvest ${record.id}: fetching ${what} after epoch ${record.lastEpoch}`)
  if (plan.refetched.length > 0) {
    // Upserting sinks (DuckDB, PostgreSQL) replace those rows; appending ones get a second copy.
    output.notice(
      `harvest ${record.id}: fetching ${plan.refetched.length} provisional day(s) again (${plan.refetched.join(", ")}): ` +
        "DuckDB and PostgreSQL update their rows; Parquet, Arrow and NDJSON outputs get the newer copy as well (keep the latest _fetched_at per id)"
    )
  }
}

/**
 * A queued job's plan: what the harvest's history leaves to do (a stopped run's pending plan, so
 * every worker of a team plans alike), with its work queue unless nothing is left.
 */
const planQueued = async (run: OpenRun, job: JobSpec, harvestId: string, list: ReadonlyArray<string> | undefined) => {
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
const harvestQueuedJob = async (
  run: OpenRun,
  queue: PostgresWorkQueue,
  job: JobSpec,
  list: ReadonlyArray<string> | undefined,
  { jobPlan, queue: plan }: Awaited<ReturnType<typeof planQueued>>
): Promise<HarvestResult | undefined> => {
  const { settings, output } = run.input
  const { runState, display } = run
  const query = run.prepared.queries.get(job.name)
  const { source, label } = jobSource(job.source, { query, list }, settings.concurrency, dedupeFollows(job))
  if (jobPlan.type === "complete" || plan === undefined) {
    if (jobPlan.type === "complete") announceComplete(run, job, jobPlan.record)
    await runState.harvestDone(source.harvestId)
    await runState.jobDone(job.name)
    return undefined
  }
  if (jobPlan.reason !== undefined) output.notice(`job ${job.name}: harvesting everything again (${jobPlan.reason})`)
  await run.history.update(source.harvestId, (current) =>
    beginRun(current, identityOf(job, source.harvestId, source.stream, query), jobPlan, sharedOutputsOf(job), new Date(settings.now()).toISOString()))
  await runState.save()
  display.tracker.begin(run.spec.jobs.length > 1 ? `${job.name}: ${label}` : label)
  run.current = { job: job.name, stream: source.stream, harvestId: source.harvestId }
  run.written = 0
  const pass = passHistory(run, source, jobPlan.items ?? list ?? [])
  let summary: PipelineSummary
  try {
    summary = await runJobQueued(run, queue, plan, job, source, label, pass.onProgress)
  } catch (error) {
    await pass.failed(error, undefined)
    throw error
  }
  run.summaries.push(summary)
  if (summary.status === "interrupted") await pass.interrupted(undefined)
  const stopped = await afterJobPipeline(run, job, summary)
  if (stopped !== undefined) return stopped
  await run.refused.settled()
  // Every item is done (the worker waited for the others): the first worker to get here covers the plan.
  await pass.ended("complete", undefined)
  await runState.harvestDone(source.harvestId)
  await runState.jobDone(job.name)
  return undefined
}

/**
 * What one pass of a harvest adds to its history: requests per UTC day, errors by kind, refused
 * items, and how the pass ended (its last committed epoch, when known).
 */
const passHistory = (run: OpenRun, source: { readonly harvestId: string; readonly stream: string }, items: ReadonlyArray<string>) => {
  const { settings, signal } = run.input
  const stats = { requestsByDay: {} as Record<string, number>, errors: {} as Record<string, number> }
  const count = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1)
  const countRefusals = run.refused.track(source.harvestId, source.stream, items)
  const ended = (status: RunOutcome["status"], lastEpoch: number | undefined) =>
    run.history.update(source.harvestId, (record) =>
      endRun(record!, {
        status,
        lastEpoch,
        records: run.written,
        ...stats,
        refused: run.refused.refusals().find((r) => r.harvestId === source.harvestId)?.items ?? []
      }, settings.now()))
  return {
    ended,
    onProgress: (event: ProgressEvent) => {
      countRefusals(event)
      if (event.type === "request") count(stats.requestsByDay, utcDay(settings.now()))
      if (event.type === "retry") count(stats.errors, event.kind)
      if (event.type === "item-refused") count(stats.errors, `refused:${event.code}`)
    },
    /** The pass failed: counted by kind; the history keeps it (a failure to write it must not hide the error). */
    failed: async (error: unknown, lastEpoch: number | undefined) => {
      const quota = describeFailure(error).exitCode === ExitCode.QuotaExhausted
      count(stats.errors, quota ? "quota-exhausted" : (error as { _tag?: string })._tag ?? "failure")
      await ended(quota ? "stopped" : "failed", lastEpoch).catch(() => undefined)
    },
    /** Stopped by `--max-records` (stopped) or a signal (interrupted). */
    interrupted: (lastEpoch: number | undefined) => ended(run.limit?.reached && !signal.aborted ? "stopped" : "interrupted", lastEpoch)
  }
}

/** A job's pipeline ended: the run's result when `--max-records` or a signal stopped it, else undefined. */
const afterJobPipeline = async (run: OpenRun, job: JobSpec, summary: PipelineSummary): Promise<HarvestResult | undefined> => {
  const { output, signal } = run.input
  if (summary.status === "interrupted" && !signal.aborted && run.limit?.reached) return await stoppedAtLimit(run, summary.lastEpoch)
  if (summary.status === "interrupted") {
    run.display.stop()
    output.notice(
      `interrupted: ${summary.recordsOut} records of ${job.name} committed at epoch ${summary.lastEpoch}; ` +
        `run the same command again to resume${run.options.resumeCommand ? `: ${run.options.resumeCommand}` : ""}`
    )
    await run.refused.settled()
    return run.result(exitCodeForSignal(signal.reason))
  }
  return undefined
}

/** Runs one pass of a job through its stages into its sinks, keeping the harvest's history. */
const runHistoryPass = async (
  run: OpenRun,
  job: JobSpec,
  { source, keys, label }: { source: JobSourceValue; keys: number | undefined; label: string },
  jobCheckpoints: JobCheckpoints,
  plan: HarvestingPlan
): Promise<HarvestResult | undefined> => {
  const { settings, output, signal } = run.input
  await run.runState.save()
  run.display.tracker.begin(run.spec.jobs.length > 1 ? `${job.name}: ${label}` : label)
  run.current = { job: job.name, stream: source.stream, harvestId: source.harvestId }
  run.written = 0
  const pass = passHistory(run, source, plan.items ?? [])
  let summary: PipelineSummary
  try {
    summary = await runJobPipeline(run, job, withWorkProgress(source, run.display.tracker, keys), jobCheckpoints, signal, plan.type === "fresh",
      pass.onProgress, [coverageCounter(run.history, (message) => output.notice(message))])
  } catch (error) {
    await pass.failed(error, (await jobCheckpoints.load(source.harvestId))?.epoch)
    throw error
  }
  run.summaries.push(summary)
  if (summary.status === "interrupted") await pass.interrupted(summary.lastEpoch)
  const stopped = await afterJobPipeline(run, job, summary)
  if (stopped !== undefined) return stopped
  await run.refused.settled()
  await pass.ended("complete", summary.lastEpoch)
  return undefined
}

/**
 * `--max-records` reached: the job's pipeline committed what it delivered (at `epoch`; a job that
 * had just finished needs no commit); says how to continue, exit 6.
 */
const stoppedAtLimit = async (run: OpenRun, epoch?: number): Promise<HarvestResult> => {
  const { output } = run.input
  const limit = run.limit!
  run.display.stop()
  await run.refused.settled()
  const current = run.current
  const stopped = run.result(ExitCode.MaxRecords, undefined, {
    job: current?.job ?? "",
    stream: current?.stream ?? "",
    harvestId: current?.harvestId ?? "",
    maxRecords: limit.max,
    records: limit.records
  })
  printRunSummary(output, stopped)
  output.notice(
    `stopped at --max-records ${limit.max}: ${limit.records} records delivered and committed` +
      `${epoch === undefined ? "" : ` (${current?.job} at epoch ${epoch})`}; ` +
      `run the same command again to continue${run.options.resumeCommand ? `: ${run.options.resumeCommand}` : ""}`
  )
  return stopped
}

/** Runs one pipeline of the job: its source through its stages into its sinks (and the id collector later jobs read). */
const runJobPipeline = async (
  run: OpenRun,
  job: JobSpec,
  source: Source<any, TikTokClient>,
  checkpoints: CheckpointStore,
  signal: AbortSignal,
  fresh: boolean,
  onEvent: (event: ProgressEvent) => void,
  internalSinks: ReadonlyArray<BoundSink> = []
): Promise<PipelineSummary> => {
  const { settings } = run.input
  const jobSinks = [...run.prepared.sinks.get(job.name)!, ...internalSinks]
  const fields = run.collect.get(job.name)
  if (fields !== undefined) {
    const queueId = run.queueIds.get(job.name)
    jobSinks.push(run.workQueue !== undefined && queueId !== undefined
      ? queueCollector(run.workQueue, queueId, job.name, fields)
      : idCollector(run.runState.dir, job.name, fields))
  }
  const pipelineRun = pipeline(source)
    .through(...(stagesOf(job.transforms, deliveredKeysDir(settings.stateDir)) as [Transform<unknown, unknown, unknown, never>]))
    .to(...jobSinks)
    .run({
      checkpoints,
      signal: run.limit?.signalFor(signal) ?? signal,
      stateDir: settings.stateDir,
      fresh,
      archive: archiveDirOf(settings, run.spec),
      onProgress: (event) => {
        onEvent(event)
        if (event.type === "records-out" && event.stage === "sinks") {
          run.written += event.records
          run.limit?.count(event.records)
        }
        run.display.listener(event)
      },
      epochMaxRecords: settings.commitEvery,
      epochMaxMs: settings.commitSeconds * 1000
    })
  return toPromise(Effect.provideService(pipelineRun, TikTokClient, run.client.service) as Effect.Effect<PipelineSummary, unknown>)
}

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
  onEvent: (event: ProgressEvent) => void
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
    runItem: async (item, index, checkpoints, itemSignal) => {
      const narrowed = itemSourceSpec(job.source, item)
      const harvestId = itemHarvestIdOf(source.stream, plan.queueId, index)
      const itemSource = jobSource(narrowed.spec, { query: run.prepared.queries.get(job.name), list: narrowed.list }, settings.concurrency, dedupeFollows(job)).source
      const counter = dayCounter(countsOf(await checkpoints.load(harvestId)))
      const summary = await runJobPipeline(run, job, { ...itemSource, harvestId }, withCounts(checkpoints, counter.counts), itemSignal, false, onEvent, [counter.sink])
      if (summary.status === "completed") {
        // Before the item is marked done, so the counts are whole once every item is.
        await run.history.update(source.harvestId, (record) => addPendingCounts(record!, counter.counts))
        await dropDeliveredKeys(settings.stateDir, harvestId)
      }
      return summary
    }
  })
  return {
    ...combineSummaries({ harvestId: source.harvestId, stream: source.stream, recordKind: source.kind }, queued.summaries, Date.now() - started),
    status: queued.interrupted ? "interrupted" : "completed"
  }
}

/** The job's input list: read before the run, or (from an earlier job's output) now. */
const jobList = async (run: OpenRun, job: JobSpec): Promise<ReadonlyArray<string> | undefined> => {
  const list = listInputOf(job)
  if (list === undefined) return undefined
  if (list.kind === "job" && run.workQueue !== undefined) {
    // Every worker's items collected into the earlier job's queue (none: that job had nothing to harvest).
    const queueId = run.queueIds.get(list.job)
    return queueId === undefined ? [] : run.workQueue.values(queueId, list.field)
  }
  return run.prepared.preread.get(job.name) ?? await resolveListInput(list, listField(job), run.runState.dir)
}

/** Every job finished: clears the run's checkpoints, keys and state, prints the summary. */
const finishRun = async (run: OpenRun): Promise<HarvestResult> => {
  const { stateDir } = run.input.settings
  for (const harvestId of run.runState.harvestsDone) {
    await run.checkpoints.clear(harvestId)
    await dropDeliveredKeys(stateDir, harvestId)
  }
  await run.refused.settled()
  await run.runState.remove()
  run.display.stop()
  // Finished, but not everything asked for could be harvested: say so in the exit code too.
  const done = run.result(run.refused.refusals().length > 0 ? ExitCode.ItemsRefused : ExitCode.Done)
  printRunSummary(run.input.output, done)
  return done
}

/** A job failed: a spent quota or a failure a re-run may get past returns its exit code, anything else is thrown. */
const failedRun = async (run: OpenRun, error: unknown): Promise<HarvestResult> => {
  const { output } = run.input
  run.display.stop()
  await run.refused.settled().catch(() => undefined)
  const failure = describeFailure(error)
  if (failure.exitCode === ExitCode.QuotaExhausted) {
    // What the run did before the stop, so a script or a person sees the partial harvest.
    const current = run.current
    const stopped = run.result(failure.exitCode, current && {
      job: current.job,
      stream: current.stream,
      harvestId: current.harvestId,
      records: run.written,
      resetAt: (error as { resetAt?: string }).resetAt ?? ""
    })
    printRunSummary(output, stopped)
    output.error(failure.message)
    return stopped
  }
  if (failure.exitCode === ExitCode.Failure) {
    // Unless re-running would stop at the same place (a value the API sends that cannot be stored).
    output.error(`${failure.message}${failure.rerunHelps === false ? "" : "; the checkpoint is kept, run the same command again to resume"}`)
    return run.result(failure.exitCode)
  }
  throw error instanceof CliError ? error : new CliError(failure.message, failure.exitCode)
}

/** Which values each job must keep for later jobs that read its output. */
const collectedFields = (spec: RunSpec): Map<string, Array<CollectedField>> => {
  const fields = new Map<string, Array<CollectedField>>()
  for (const job of spec.jobs) {
    const list = listInputOf(job)
    if (list?.kind !== "job") continue
    const field = list.field as CollectedField
    const existing = fields.get(list.job) ?? []
    if (!existing.includes(field)) existing.push(field)
    fields.set(list.job, existing)
  }
  return fields
}

/**
 * Where raw responses are archived: `--archive`/`--no-archive`, else the pipeline file's
 * `archive:`, else `<state>/archive`. Undefined: no archive.
 */
const archiveDirOf = (settings: GlobalSettings, spec: RunSpec): string | undefined => {
  const chosen = settings.archive ?? (typeof spec.archive === "string" ? resolve(spec.archive) : spec.archive)
  return chosen === false ? undefined : chosen ?? join(settings.stateDir, "archive")
}

/** Where each harvest's delivered keys live: `<state>/dedupe/<harvestId>/dedupe/`. */
const deliveredKeysDir = (stateDir: string): string => join(stateDir, "dedupe")

/** A finished harvest (or work-queue item) no longer needs its delivered keys. */
const dropDeliveredKeys = (stateDir: string, harvestId: string): Promise<void> =>
  rm(join(deliveredKeysDir(stateDir), harvestId), { recursive: true, force: true })

/**
 * The job's stages. `dedupe` (on by default) keeping the first occurrence keeps its keys under
 * `--state`, committed with each epoch: the API repeats records across pages and a split window
 * reads its pages again, and only keys committed with the checkpoint let a resumed run drop what
 * an earlier run delivered, whatever the sink. Keeping the last occurrence holds every record
 * until the end (one commit, nothing to resume from), so it needs no keys on disk.
 */
export const stagesOf = (transforms: ReadonlyArray<TransformSpec>, keysDir: string): Array<Transform<any, any, any, any>> =>
  transforms.map((transform) =>
    transform.kind === "dedupe"
      ? dedupe(transform.keep === "first" ? { store: persistentKeys(keysDir) } : { keep: { last: transform.keep.last } })
      : lookupJoin({
        name: `join-${transform.as}`,
        key: (record: Record<string, unknown>) => {
          const value = record[transform.on]
          return typeof value === "string" && value !== "" ? value : null
        },
        lookup: lookupFromSource("user_info", (usernames) => userInfo({ usernames })),
        combine: enrichAs(transform.as),
        onMiss: transform.miss
      })
  )
