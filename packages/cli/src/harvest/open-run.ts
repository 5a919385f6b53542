import { join } from "node:path"
import { type FileCheckpointStore, type HistoryStore, machineQuotaLedgerPath, type PipelineSummary } from "@tikflow/core/internal"
import { createTikTokClient } from "@tikflow/sources/internal"
import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import type { CommandInput } from "../commands/command.js"
import type { ExitCode } from "../exit-codes.js"
import { type ProgressDisplay, startProgressDisplay } from "../progress/progress-display.js"
import { openHistory } from "./coordinator-history.js"
import type { CoordinatorQuota } from "./coordinator-quota.js"
import type { AlreadyComplete, HarvestOptions, HarvestResult, ReplacedDays, StoppedAtLimit, StoppedJob } from "./harvest-result.js"
import type { CollectedField } from "./id-collector.js"
import type { RunSpec } from "./job-spec.js"
import type { PreparedRun } from "./prepare-run.js"
import { listInputOf } from "./prepare-run.js"
import type { RecordLimit } from "./record-limit.js"
import { ChangedValuesLog } from "./changed-values.js"
import { checkpointStoreOf } from "./job-checkpoints.js"
import { RefusedItems } from "./refused-items.js"
import { acquireRunLock, type RunLock, runLockTargets } from "./run-lock.js"
import { RunState } from "./run-state.js"

type TikTokClientHandle = ReturnType<typeof createTikTokClient>

/** One run in progress: what its jobs share, and what a stop or the summary reports. */
export interface OpenRun {
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
  /** Values the user's outputs stored changed, from `values-changed` events (kept across an interruption). */
  readonly changed: ChangedValuesLog
  /** `--max-records`, when given. */
  readonly limit: RecordLimit | undefined
  readonly history: HistoryStore
  readonly closeHistory: () => Promise<void>
  /** Jobs whose harvest was complete already: nothing sent for them. */
  readonly alreadyComplete: Array<AlreadyComplete>
  /** Provisional days fetched again by the harvests this run finished. */
  readonly replaced: Array<ReplacedDays>
  /** The job running now, for what a quota stop reports. */
  current: { readonly job: string; readonly stream: string; readonly harvestId: string } | undefined
  /** Records the current job's sinks received: what a stop reports (the pipeline commits them). */
  written: number
  readonly result: (exitCode: ExitCode, stoppedByQuota?: StoppedJob, stoppedAtMaxRecords?: StoppedAtLimit) => HarvestResult
}

/** Takes the run's lock and opens its state, checkpoints, progress display and API client. */
export const openRun = async (
  spec: RunSpec,
  input: CommandInput,
  options: HarvestOptions,
  prepared: PreparedRun,
  startedAt: number,
  limit: RecordLimit | undefined
): Promise<OpenRun> => {
  const { settings, output, env } = input
  const shared = await openShared(spec, input, prepared)
  const runState = await RunState.open(settings.stateDir, spec, settings.fresh)
  const display = startProgressDisplay(output, { label: spec.label, env })
  const client = openClient(input, options, prepared, shared.coordinator)
  const summaries: Array<PipelineSummary> = []
  const alreadyComplete: Array<AlreadyComplete> = []
  const replaced: Array<ReplacedDays> = []
  const refused = await RefusedItems.open(join(runState.dir, "refused-items.json"))
  const changed = await ChangedValuesLog.open(join(runState.dir, "changed-values.json"))
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
      alreadyComplete,
      replaced,
      changed: changed.changed()
    }
  }
  return {
    spec,
    input,
    options,
    prepared,
    ...shared,
    queueIds: new Map(),
    runState,
    checkpoints: checkpointStoreOf(settings.stateDir),
    collect: collectedFields(spec),
    display,
    client,
    summaries,
    refused,
    changed,
    limit,
    alreadyComplete,
    replaced,
    current: undefined,
    written: 0,
    result
  }
}

/**
 * What the run shares with other processes, opened in order (the team's ledger and work queue
 * when a coordinator is named, the run's lock, the history): connecting now fails before any
 * request, and a step that fails closes the ones before it.
 */
const openShared = async (spec: RunSpec, input: CommandInput, prepared: PreparedRun) => {
  const { settings, output } = input
  // The team mode's modules load only with a coordinator: each module a run loads costs start-up.
  const coordinator = settings.coordinator === undefined
    ? undefined
    : await (await import("./coordinator-quota.js")).openCoordinatorQuota(settings.coordinator, prepared.credentials.clientKey, output)
  const workQueue = settings.coordinator === undefined
    ? undefined
    : await (await import("./coordinator-queue.js")).openCoordinatorQueue(settings.coordinator, output).catch(async (error: unknown) => {
      await coordinator?.close()
      throw error
    })
  // The lock before the history: settling the journals of dead runs in the state directory is this run's to do.
  const lock = await acquireRunLock(runLockTargets(settings.stateDir, spec)).catch(async (error: unknown) => {
    await coordinator?.close()
    await workQueue?.close()
    throw error
  })
  const history = await openHistory(settings, output).catch(async (error: unknown) => {
    await coordinator?.close()
    await workQueue?.close()
    await lock.release()
    throw error
  })
  return { coordinator, workQueue, lock, history: history.store, closeHistory: () => history.close() }
}

/** The run's API client, spending quota from the machine's ledger (or the team's, with a coordinator). */
const openClient = (input: CommandInput, options: HarvestOptions, prepared: PreparedRun, coordinator: CoordinatorQuota | undefined): TikTokClientHandle => {
  const { settings, env } = input
  const { credentials } = prepared
  return createTikTokClient({
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
