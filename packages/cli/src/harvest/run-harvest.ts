import { rm } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import {
  type BoundSink,
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
  toPromise,
  type Transform
} from "@tikflow/core"
import { checkBaseUrl, createTikTokClient, TikTokClient, userInfo, type VideoQueryFilter } from "@tikflow/sources"
import { uriSecrets } from "@tikflow/sinks/registry"
import { loadCredentials } from "../args/credentials.js"
import { CliError, usageError } from "../cli-error.js"
import type { CommandInput } from "../commands/command.js"
import { ExitCode } from "../exit-codes.js"
import { describeFailure } from "../failure.js"
import { startProgressDisplay } from "../progress/progress-display.js"
import { exitCodeForSignal } from "../signals.js"
import { SinkResolver } from "../sinks/sink-resolver.js"
import { openCoordinatorQuota } from "./coordinator-quota.js"
import { type CollectedField, idCollector } from "./id-collector.js"
import { JobCheckpoints, outputsDifferNotice } from "./job-checkpoints.js"
import { jobSource } from "./job-sources.js"
import type { JobSpec, RunSpec, TransformSpec } from "./job-spec.js"
import { resolveListInput } from "./list-inputs.js"
import { outputSetOf } from "./output-set.js"
import { withWorkProgress } from "./progress-source.js"
import { acquireRunLock, runLockTargets } from "./run-lock.js"
import { RunState } from "./run-state.js"
import { type HarvestRefusals, RefusedItems } from "./refused-items.js"
import { printRunSummary } from "./run-summary.js"
import { toApiQuery } from "./video-query-input.js"

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
  const { settings, output, env, signal } = input
  const startedAt = Date.now()
  // Plain http to a remote host would send the client secret in clear: refused before anything else.
  checkBaseUrl(settings.baseUrlFlag, settings.baseUrl)
  const credentials = loadCredentials(settings.credentialsFile, env, (message) => output.notice(message))
  output.redactor.add(credentials.clientSecret)
  const plugins = [
    ...(options.plugins ?? []),
    ...((input.values.plugin as ReadonlyArray<string> | undefined) ?? []).map((specifier) => ({ specifier, field: "--plugin" }))
  ]
  const resolver = await SinkResolver.create(process.cwd(), plugins)
  const sinks = new Map<string, ReadonlyArray<BoundSink>>()
  const queries = new Map<string, VideoQueryFilter>()
  for (const job of spec.jobs) {
    const bound: Array<BoundSink> = []
    for (const sink of job.sinks) {
      for (const secret of uriSecrets(sink.uri)) output.redactor.add(secret)
      const resolved = await resolver.resolve(sink)
      // Two writers on one output would interleave and cut each other's data.
      if (bound.some((earlier) => earlier.name === resolved.name)) {
        throw usageError(`${sink.field}: ${resolved.name} is given twice; give each output once`)
      }
      bound.push(resolved)
    }
    sinks.set(job.name, bound)
    if (job.source.endpoint === "videos") {
      queries.set(job.name, toApiQuery(job.source.query, job.fieldNames?.query ?? "--query"))
    }
  }
  const listField = (job: JobSpec) =>
    job.fieldNames?.list ?? (job.source.endpoint === "comments" ? "--video-ids-from" : "--usernames-from")
  // Input files are read now, so a missing file fails before the first request.
  const preread = new Map<string, ReadonlyArray<string>>()
  for (const job of spec.jobs) {
    const list = job.source.endpoint === "videos" ? undefined : job.source.endpoint === "comments" ? job.source.videoIds : job.source.usernames
    if (list && list.kind !== "job") preread.set(job.name, await resolveListInput(list, listField(job), ""))
  }

  // The team's ledger, when one is named: connecting now fails before any request.
  const coordinator = settings.coordinator === undefined ? undefined : await openCoordinatorQuota(settings.coordinator, credentials.clientKey, output)
  const lock = await acquireRunLock(runLockTargets(settings.stateDir, spec)).catch(async (error: unknown) => {
    await coordinator?.close()
    throw error
  })
  const runState = await RunState.open(settings.stateDir, spec, settings.fresh)
  const checkpoints = new FileCheckpointStore(join(settings.stateDir, "checkpoints"))
  const collect = collectedFields(spec)
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
  const refused = await RefusedItems.open(join(runState.dir, "refused-items.json"))
  const result = (exitCode: ExitCode, stoppedByQuota?: StoppedJob): HarvestResult => {
    const totals = display.tracker.totals()
    return {
      exitCode,
      summaries,
      stoppedByQuota,
      requests: totals.requests,
      retries: totals.retries,
      durationMs: Date.now() - startedAt,
      refused: refused.refusals()
    }
  }
  let current: { readonly job: string; readonly stream: string; readonly harvestId: string } | undefined
  /** Records the current job's sinks received: what a stop reports (the pipeline commits them). */
  let written = 0
  const onProgress = (event: ProgressEvent) => {
    if (event.type === "records-out" && event.stage === "sinks") written += event.records
    display.listener(event)
  }
  if (runState.existed) {
    output.notice(`resuming run ${runState.id} (${runState.harvestsDone.length} of ${spec.jobs.length} jobs done earlier)`)
  }
  try {
    for (const job of spec.jobs) {
      if (signal.aborted) break
      const list = job.source.endpoint === "videos"
        ? undefined
        : preread.get(job.name) ?? await resolveListInput(
          job.source.endpoint === "comments" ? job.source.videoIds : job.source.usernames,
          listField(job),
          runState.dir
        )
      if (list !== undefined && list.length === 0) {
        output.notice(`job ${job.name}: nothing to harvest (its input list is empty)`)
        await runState.jobDone(job.name)
        continue
      }
      const { source, keys, label } = jobSource(job.source, { query: queries.get(job.name), list }, settings.concurrency)
      if (runState.isHarvestDone(source.harvestId)) {
        output.notice(`job ${job.name}: harvest ${source.harvestId} finished in an earlier run, skipped`)
        continue
      }
      const jobCheckpoints = new JobCheckpoints(checkpoints, outputSetOf(job.sinks))
      const start = settings.fresh ? undefined : await jobCheckpoints.start(source.harvestId)
      if (start?.type === "resume") output.notice(`resuming harvest ${source.harvestId} from epoch ${start.checkpoint.epoch}`)
      if (start?.type === "outputs-differ") output.notice(outputsDifferNotice(source.harvestId, start.previous))
      await runState.save()
      display.tracker.begin(spec.jobs.length > 1 ? `${job.name}: ${label}` : label)
      current = { job: job.name, stream: source.stream, harvestId: source.harvestId }
      written = 0
      const jobSinks = [...sinks.get(job.name)!]
      const fields = collect.get(job.name)
      if (fields !== undefined) jobSinks.push(idCollector(runState.dir, job.name, fields))
      const tracked = withWorkProgress(source, display.tracker, keys)
      const countRefusals = refused.track(source.harvestId, source.stream, list ?? [])
      const run = pipeline(tracked)
        .pipe(...(stagesOf(job.transforms, deliveredKeysDir(settings.stateDir)) as [Transform<unknown, unknown, unknown, never>]))
        .to(...jobSinks)
        .run({
          checkpoints: jobCheckpoints,
          signal,
          stateDir: settings.stateDir,
          fresh: settings.fresh,
          onProgress: (event) => {
            countRefusals(event)
            onProgress(event)
          },
          epochMaxRecords: settings.commitEvery,
          epochMaxMs: settings.commitSeconds * 1000
        })
      const summary = await toPromise(Effect.provideService(run, TikTokClient, client.service) as Effect.Effect<PipelineSummary, unknown>)
      summaries.push(summary)
      if (summary.status === "interrupted") {
        display.stop()
        output.notice(
          `interrupted: ${summary.recordsOut} records of ${job.name} committed at epoch ${summary.lastEpoch}; ` +
            `run the same command again to resume${options.resumeCommand ? `: ${options.resumeCommand}` : ""}`
        )
        await refused.settled()
        return result(exitCodeForSignal(signal.reason))
      }
      await runState.harvestDone(source.harvestId)
      await runState.jobDone(job.name)
    }
    if (signal.aborted) {
      display.stop()
      output.notice("interrupted before the next job started; run the same command again to resume")
      return result(exitCodeForSignal(signal.reason))
    }
    for (const harvestId of runState.harvestsDone) {
      await checkpoints.clear(harvestId)
      await rm(join(deliveredKeysDir(settings.stateDir), harvestId), { recursive: true, force: true })
    }
    await refused.settled()
    await runState.remove()
    display.stop()
    // Finished, but not everything asked for could be harvested: say so in the exit code too.
    const done = result(refused.refusals().length > 0 ? ExitCode.ItemsRefused : ExitCode.Done)
    printRunSummary(output, done)
    return done
  } catch (error) {
    display.stop()
    await refused.settled().catch(() => undefined)
    const failure = describeFailure(error)
    if (failure.exitCode === ExitCode.QuotaExhausted) {
      // What the run did before the stop, so a script or a person sees the partial harvest.
      const stopped = result(failure.exitCode, current && {
        job: current.job,
        stream: current.stream,
        harvestId: current.harvestId,
        records: written,
        resetAt: (error as { resetAt?: string }).resetAt ?? ""
      })
      printRunSummary(output, stopped)
      output.error(failure.message)
      return stopped
    }
    if (failure.exitCode === ExitCode.Failure) {
      // Unless re-running would stop at the same place (a value the API sends that cannot be stored).
      output.error(`${failure.message}${failure.rerunHelps === false ? "" : "; the checkpoint is kept, run the same command again to resume"}`)
      return result(failure.exitCode)
    }
    throw error instanceof CliError ? error : new CliError(failure.message, failure.exitCode)
  } finally {
    await client.close()
    await coordinator?.close()
    await lock.release()
  }
}

/** Which values each job must keep for later jobs that read its output. */
const collectedFields = (spec: RunSpec): Map<string, Array<CollectedField>> => {
  const fields = new Map<string, Array<CollectedField>>()
  for (const job of spec.jobs) {
    const list = job.source.endpoint === "videos" ? undefined : job.source.endpoint === "comments" ? job.source.videoIds : job.source.usernames
    if (list?.kind !== "job") continue
    const field = list.field as CollectedField
    const existing = fields.get(list.job) ?? []
    if (!existing.includes(field)) existing.push(field)
    fields.set(list.job, existing)
  }
  return fields
}

/** Where each harvest's delivered keys live: `<state>/dedupe/<harvestId>/dedupe/`. */
const deliveredKeysDir = (stateDir: string): string => join(stateDir, "dedupe")

/**
 * The job's stages. `dedupe` (on by default) keeping the first occurrence keeps its keys under
 * `--state`, committed with each epoch: the API repeats records across pages and a split window
 * reads its pages again, and only keys committed with the checkpoint let a resumed run drop what
 * an earlier run delivered, whatever the sink. Keeping the last occurrence holds every record
 * until the end (one commit, nothing to resume from), so it needs no keys on disk.
 */
const stagesOf = (transforms: ReadonlyArray<TransformSpec>, keysDir: string): Array<Transform<any, any, any, any>> =>
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
