import type { HarvestRecord, PipelineSummary, ProvisionalDays } from "@tikflow/core/internal"
import { CliError } from "../cli-error.js"
import type { CommandInput } from "../commands/command.js"
import { ExitCode } from "../exit-codes.js"
import { describeFailure, failedRunStatus } from "../failure.js"
import { exitCodeForSignal } from "../signals.js"
import { recordsOfDays } from "./harvest-history.js"
import { daysOfRanges, type JobPlan, planJob, provisionalDaysOf, requestedOf, resumeFloorOf } from "./harvest-plan.js"
import type { HarvestOptions, HarvestResult, KeptRows } from "./harvest-result.js"
import { JobCheckpoints, type JobStart, outputsDifferNotice } from "./job-checkpoints.js"
import { afterJobPipeline, announceComplete, noteReplacedDays, stoppedAtLimit } from "./job-outcomes.js"
import { dropDeliveredKeys, runJobPipeline } from "./job-pipeline.js"
import { dedupeFollows, type JobSource, jobSource } from "./job-sources.js"
import type { JobSpec, RunSpec } from "./job-spec.js"
import { resolveListInput } from "./list-inputs.js"
import { type OpenRun, openRun } from "./open-run.js"
import { outputSetOf } from "./output-set.js"
import { listField, listInputOf, prepareRun } from "./prepare-run.js"
import { withWorkProgress } from "./progress-source.js"
import { identityOf, type PassHistory, passHistory } from "./pass-history.js"
import { RecordLimit } from "./record-limit.js"
import { changedTotal } from "./changed-values.js"
import { isInternalSink } from "./internal-sinks.js"
import { printRunSummary } from "./run-summary.js"

type HarvestingPlan = Exclude<JobPlan, { type: "complete" }>
type JobSourceValue = JobSource["source"]

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
    // A dry run's and the team mode's modules load only when used: each module a run loads costs start-up.
    const { dryRun } = await import("./dry-run.js")
    await dryRun(spec, input, prepared)
    return { exitCode: ExitCode.Done, summaries: [], requests: 0, retries: {}, durationMs: Date.now() - startedAt, refused: [], alreadyComplete: [], replaced: [], changed: [] }
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

/**
 * Harvests one job into its sinks, or skips it (empty input list, harvest finished earlier in
 * this run, or complete in its history). Returns the run's result when a signal interrupted it,
 * undefined when the run goes on. With a coordinator the job's items are shared through its work
 * queue; without, its passes are checkpointed in the state directory.
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
  const { source: whole } = jobSource(job.source, { query: run.prepared.queries.get(job.name), list }, settings.concurrency)
  const harvestId = whole.harvestId
  // Known before a skip: a later job reads this job's ids from its queue.
  const queued = run.workQueue === undefined ? undefined : await (await import("./work-queue-job.js")).planQueued(run, job, harvestId, list)
  if (queued?.lastQueueId !== undefined) run.queueIds.set(job.name, queued.lastQueueId)
  // By job: two jobs of one run may extend the same harvest (one query over two ranges).
  if (runState.isJobDone(job.name)) {
    output.notice(`job ${job.name}: harvest ${harvestId} finished in an earlier run, skipped`)
    return undefined
  }
  // With a coordinator, checkpoints are the work queue's, per item, in its database (no file history yet).
  if (run.workQueue !== undefined) return (await import("./work-queue-job.js")).harvestQueuedJob(run, run.workQueue, job, list, queued!)
  return harvestPasses(run, job, list, whole)
}

/**
 * A job checkpointed in the state directory and planned from its harvest's history: a pass for what
 * the history leaves to do, and after a pass that resumed a stopped run, one for what the job asks
 * for beyond that run's plan.
 */
const harvestPasses = async (
  run: OpenRun,
  job: JobSpec,
  list: ReadonlyArray<string> | undefined,
  whole: JobSourceValue
): Promise<HarvestResult | undefined> => {
  const { settings } = run.input
  const { runState } = run
  const { harvestId } = whole
  const query = run.prepared.queries.get(job.name)
  const outputs = outputSetOf(job.sinks)
  const jobCheckpoints = new JobCheckpoints(run.checkpoints, outputs)
  const requested = requestedOf(job, list)
  for (let pass = 0;; pass++) {
    const fresh = settings.fresh && pass === 0
    const start = fresh ? undefined : await jobCheckpoints.start(harvestId)
    const record = await run.history.read(harvestId)
    // After a resumed pass, only what the command asks beyond its plan: its provisional days were just fetched.
    const plan = planJob({ record, requested, outputs, fresh, resuming: start?.type === "resume", now: settings.now(), refetchProvisional: pass === 0 })
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
    // Dedupe holds within a pass: keys an earlier pass left (a run killed before clearing them) would
    // drop the records of days fetched again, whose earlier rows the sinks then replace with nothing.
    if (plan.type === "continue") await dropDeliveredKeys(settings.stateDir, harvestId)
    const { source, keys, label } = jobSource(job.source, { query, list: plan.items ?? list, days: plan.days }, settings.concurrency, dedupeFollows(job))
    const history = passHistory(run, source, plan.items ?? [])
    const begun = await history.begin(identityOf(job, harvestId, whole.stream, query), plan, outputs)
    const provisional = job.source.endpoint === "videos" ? provisionalDaysOf(settings.now(), begun.pending?.replaces) : undefined
    // The rows the history held for the days fetched again, as the pass began.
    const rowsBefore = provisional?.replaces === undefined ? 0 : recordsOfDays(begun, provisional.replaces.days)
    const interrupted = await runHistoryPass(run, job, { source, keys, label }, jobCheckpoints, plan, history, {
      provisional,
      rowsBefore,
      resumeFloor: resumeFloorOf(begun.pending)
    })
    if (interrupted !== undefined) return interrupted
    if (plan.type !== "resume") break
  }
  await runState.harvestDone(harvestId)
  await runState.jobDone(job.name)
  return undefined
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
    output.notice(
      `harvest ${record.id}: fetching ${plan.refetched.length} provisional day(s) again (${plan.refetched.join(", ")}): ` +
        "their rows in every output are replaced by this run's"
    )
  }
}

/** Runs one pass of a job through its stages into its sinks, keeping the harvest's history. */
const runHistoryPass = async (
  run: OpenRun,
  job: JobSpec,
  { source, keys, label }: { source: JobSourceValue; keys: number | undefined; label: string },
  jobCheckpoints: JobCheckpoints,
  plan: HarvestingPlan,
  pass: PassHistory,
  { provisional, rowsBefore, resumeFloor }: { provisional: ProvisionalDays | undefined; rowsBefore: number; resumeFloor: number }
): Promise<HarvestResult | undefined> => {
  const { signal } = run.input
  const { checkpoints, counter } = pass.commits(jobCheckpoints)
  await run.runState.save()
  run.display.tracker.begin(run.spec.jobs.length > 1 ? `${job.name}: ${label}` : label)
  run.current = { job: job.name, stream: source.stream, harvestId: source.harvestId }
  run.written = 0
  let summary: PipelineSummary
  try {
    summary = await runJobPipeline(run, job, withWorkProgress(source, run.display.tracker, keys), checkpoints, signal, plan.type === "fresh",
      pass.onProgress, pass.changesJournal(), [counter], { provisional, resumeFloor })
  } catch (error) {
    await pass.failed(error, (await jobCheckpoints.load(source.harvestId))?.epoch)
    throw error
  }
  run.summaries.push(summary)
  if (summary.status === "interrupted") await pass.interrupted(summary.lastEpoch)
  const stopped = await afterJobPipeline(run, job, summary)
  if (stopped !== undefined) return stopped
  await run.refused.settled()
  await run.changed.settled()
  const ended = await pass.ended("complete", summary.lastEpoch)
  if (provisional?.replaces !== undefined) {
    noteReplacedDays(run, job, source, provisional.replaces.days, { before: rowsBefore, after: ended }, keptRows(summary, rowsBefore, plan.type === "resume"))
  }
  return undefined
}

/**
 * The user's sinks that kept earlier rows of the days fetched again: every row for a sink without
 * the hook; for one whose hook said what it removed, the rows the harvest delivered earlier beyond
 * that. A resumed pass skips the latter: its killed attempt may have removed them already.
 */
const keptRows = (summary: PipelineSummary, rowsBefore: number, resumed: boolean): Array<KeptRows> =>
  summary.sinks.filter((sink) => !isInternalSink(sink.name)).flatMap((sink): Array<KeptRows> =>
    sink.replacesDays === false
      ? [{ sink: sink.name, rows: rowsBefore, reason: "no-hook" }]
      : sink.replacedRows !== undefined && sink.replacedRows < rowsBefore && !resumed
      ? [{ sink: sink.name, rows: rowsBefore - sink.replacedRows, reason: "not-replaceable" }]
      : []
  )


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
  await run.changed.settled()
  await run.runState.remove()
  run.display.stop()
  // Finished, but not everything asked for could be harvested as it was: say so in the exit code
  // too. Missing items first, then rows kept twice, then values stored changed (every record is
  // there once); each is in the summary either way.
  const done = run.result(
    run.refused.refusals().length > 0
      ? ExitCode.ItemsRefused
      : run.replaced.some((replaced) => replaced.kept.length > 0)
      ? ExitCode.KeptCopies
      : changedTotal(run.changed.changed()) > 0 ? ExitCode.ValuesChanged : ExitCode.Done
  )
  printRunSummary(run.input.output, done)
  return done
}

/**
 * A job failed: a spent quota or a failure a re-run may get past returns its exit code, anything
 * else is thrown. Whether it was an interruption is `failedRunStatus`'s call, as for the history.
 */
const failedRun = async (run: OpenRun, error: unknown): Promise<HarvestResult> => {
  const { output, signal } = run.input
  run.display.stop()
  await run.refused.settled().catch(() => undefined)
  await run.changed.settled().catch(() => undefined)
  const failure = describeFailure(error)
  const status = failedRunStatus(failure, signal)
  if (status === "stopped") {
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
  if (status === "interrupted") {
    // The stop cut short a step in flight (a webhook POST cancelled: that epoch stays uncommitted
    // and is sent again on resume) or met a failure the resumed run gets past.
    output.notice(`interrupted: ${failure.message}; run the same command again to resume${run.options.resumeCommand ? `: ${run.options.resumeCommand}` : ""}`)
    return run.result(exitCodeForSignal(signal.reason))
  }
  if (failure.exitCode === ExitCode.Failure) {
    // Unless re-running would stop at the same place (a value the API sends that cannot be stored).
    output.error(`${failure.message}${failure.rerunHelps === false ? "" : "; the checkpoint is kept, run the same command again to resume"}`)
    return run.result(failure.exitCode)
  }
  throw error instanceof CliError ? error : new CliError(failure.message, failure.exitCode)
}

