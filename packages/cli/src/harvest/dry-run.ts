import { join } from "node:path"
import { type FileCheckpointStore, type HistoryStore, type PlannedRequest } from "@tikflow/core/internal"
import type { CommandInput } from "../commands/command.js"
import { openHistory } from "./coordinator-history.js"
import { harvestedAt } from "./harvest-history.js"
import { planJob, requestedOf } from "./harvest-plan.js"
import { checkpointStoreOf, JobCheckpoints } from "./job-checkpoints.js"
import { jobSource } from "./job-sources.js"
import type { JobSpec, RunSpec } from "./job-spec.js"
import { outputSetOf } from "./output-set.js"
import { sharedOutputsOf } from "./work-queue-plan.js"
import { listInputOf, type PreparedRun } from "./prepare-run.js"
import { type QuotaLeft, readQuotaLeft } from "./quota-left.js"

/** What one job of a run would fetch, as `--dry-run` shows it. */
export type JobDryRun =
  | {
    readonly job: string
    readonly stream: string
    readonly harvestId: string
    /** The epoch of the interrupted run it would resume, if any. */
    readonly resumesFromEpoch: number | null
    readonly endpoint: string | null
    readonly fields: ReadonlyArray<string>
    /** The next request of each window or item still to harvest: one each at least. */
    readonly requests: ReadonlyArray<{ readonly target: string; readonly body: string }>
  }
  /** Its list is an earlier job's output, known only once that job has run. */
  | { readonly job: string; readonly itemsFrom: string }
  /** Its input list is empty: nothing to fetch. */
  | { readonly job: string; readonly nothing: string }

export interface DryRun {
  readonly jobs: ReadonlyArray<JobDryRun>
  /** The fewest requests the run takes: one per window or item (more where the API pages). */
  readonly minRequests: number
  readonly quota: QuotaLeft
  /** What the plan cannot tell from this machine. */
  readonly notes: ReadonlyArray<string>
}

/**
 * `--dry-run`: what the run would fetch, from the same plan a run makes (resume state included),
 * printed on stdout; nothing is sent (no token request either) and no quota is reserved.
 */
export const dryRun = async (spec: RunSpec, input: CommandInput, prepared: PreparedRun): Promise<DryRun> => {
  const checkpoints = checkpointStoreOf(input.settings.stateDir)
  const jobs: Array<JobDryRun> = []
  // The team's history when a coordinator is named (what a real run of the team would plan from).
  const history = await openHistory(input.settings, input.output)
  try {
    for (const job of spec.jobs) jobs.push(await planOf(job, input, prepared, checkpoints, history.store))
  } finally {
    await history.close()
  }
  const plan: DryRun = {
    jobs,
    minRequests: jobs.reduce((sum, job) => sum + ("requests" in job ? job.requests.length : 0), 0),
    quota: await readQuotaLeft(input, () => prepared.credentials.clientKey),
    notes: input.settings.coordinator === undefined
      ? []
      : ["with --coordinator the jobs run through the team's work queue: items other machines have finished are skipped, so the run may take fewer requests"]
  }
  input.output.result(input.settings.logFormat === "json" ? JSON.stringify({ type: "dry-run", ...plan }) : dryRunText(plan))
  return plan
}

const planOf = async (job: JobSpec, input: CommandInput, prepared: PreparedRun, checkpoints: FileCheckpointStore, history: HistoryStore): Promise<JobDryRun> => {
  const listInput = listInputOf(job)
  if (listInput?.kind === "job") return { job: job.name, itemsFrom: listInput.job }
  const list = prepared.preread.get(job.name)
  if (list !== undefined && list.length === 0) return { job: job.name, nothing: "its input list is empty" }
  const { settings } = input
  const query = prepared.queries.get(job.name)
  const { source: whole } = jobSource(job.source, { query, list }, settings.concurrency)
  // Read only: a checkpoint of other outputs is left for the real run to discard.
  const checkpoint = settings.fresh ? undefined : await new JobCheckpoints(checkpoints, outputSetOf(job.sinks)).load(whole.harvestId)
  // The run's own plan: only what the harvest's history does not cover (or holds as provisional).
  const plan = planJob({
    record: await history.read(whole.harvestId),
    requested: requestedOf(job, list),
    // A team's history knows the outputs as the work queue does (each worker's files are its own).
    outputs: settings.coordinator === undefined ? outputSetOf(job.sinks) : sharedOutputsOf(job),
    fresh: settings.fresh,
    resuming: checkpoint !== undefined,
    now: settings.now()
  })
  if (plan.type === "complete") return { job: job.name, nothing: `already complete: ${plan.record.records} records, harvested ${harvestedAt(plan.record).slice(0, 10)}` }
  const { source } = jobSource(job.source, { query, list: plan.items ?? list, days: plan.days }, settings.concurrency)
  const planned: ReadonlyArray<PlannedRequest> = source.plan?.(plan.type === "resume" ? checkpoint?.state : undefined) ?? []
  return {
    job: job.name,
    stream: source.stream,
    harvestId: source.harvestId,
    resumesFromEpoch: checkpoint?.epoch ?? null,
    endpoint: planned[0]?.endpoint ?? null,
    fields: planned[0]?.fields ?? [],
    requests: planned.map(({ target, body }) => ({ target, body }))
  }
}

/** Requests listed per job in text; `--json` lists every one. */
const TEXT_REQUESTS = 20

const dryRunText = (plan: DryRun): string => {
  const lines = ["dry run: nothing is sent"]
  for (const job of plan.jobs) {
    if ("itemsFrom" in job) {
      lines.push(`job ${job.job}: its items are what job ${job.itemsFrom} delivers (known once it runs): at least one request each`)
      continue
    }
    if ("nothing" in job) {
      lines.push(`job ${job.job}: nothing to fetch (${job.nothing})`)
      continue
    }
    const unit = job.stream === "videos" ? "window" : "item"
    lines.push(
      `job ${job.job}: harvest ${job.harvestId}${job.resumesFromEpoch === null ? "" : `, resuming from epoch ${job.resumesFromEpoch}`}: ` +
        `${job.requests.length} ${unit}${job.requests.length === 1 ? "" : "s"} to fetch, at least ${job.requests.length} request${job.requests.length === 1 ? "" : "s"}`
    )
    if (job.endpoint !== null) lines.push(`  POST ${job.endpoint}?fields=${job.fields.join(",")}`)
    for (const request of job.requests.slice(0, TEXT_REQUESTS)) lines.push(`  ${request.target}  ${request.body}`)
    if (job.requests.length > TEXT_REQUESTS) lines.push(`  … and ${job.requests.length - TEXT_REQUESTS} more (--json lists every one)`)
  }
  const { quota } = plan
  for (const note of plan.notes) lines.push(`note: ${note}`)
  lines.push(
    `at least ${plan.minRequests} request${plan.minRequests === 1 ? "" : "s"} in all (one per window or item; more where the API pages)`,
    `quota left today: ${quota.left} of ${quota.limit} requests (resets ${quota.resetAt}; ledger ${quota.ledger})`
  )
  return lines.join("\n")
}
