import { setTimeout as sleep } from "node:timers/promises"
import type { Checkpoint, CheckpointStore, PipelineSummary } from "@tikflow/core/internal"
import type { ClaimedItem, PostgresWorkQueue } from "@tikflow/sinks/internal"
import type { Output } from "../output/output.js"
import type { WorkItem, WorkQueuePlan } from "./work-queue-plan.js"

/** How often a worker with nothing to claim looks again (a dead neighbour's item is claimable at once). */
const POLL_MS = 1000

export interface QueuedJob {
  readonly queue: PostgresWorkQueue
  readonly plan: WorkQueuePlan
  /** For the queue row and messages: the job's label (`videos 2024-01-01..2024-01-31`). */
  readonly label: string
  /** The job's harvest, kept on the queue row: a later run finds its latest queue by it. */
  readonly harvestId: string
  /** `--fresh`: the queue starts over, unless other workers hold leases on it right now. */
  readonly fresh: boolean
  readonly signal: AbortSignal
  readonly output: Output
  /**
   * Harvests one item through the job's pipeline: from `checkpoints` (the item's row), stopping when
   * `signal` aborts (the run's signal, or the lease lost).
   */
  readonly runItem: (item: WorkItem, index: number, checkpoints: CheckpointStore, signal: AbortSignal) => Promise<PipelineSummary>
}

export interface QueuedJobResult {
  /** One per item this worker ran (finished or interrupted). */
  readonly summaries: ReadonlyArray<PipelineSummary>
  /** A signal stopped this worker; its item was committed and handed back. */
  readonly interrupted: boolean
}

/**
 * One worker's share of a queued job: creates the queue (or finds it), then claims items until
 * every item of the queue is done — waiting while other workers hold the last ones, so an item
 * whose worker dies is finished by a survivor. Each item runs under a lease renewed every third of
 * its length; an item whose lease is lost (this worker went quiet, another took it) is stopped and
 * left to its new holder. A failure or a spent quota hands the item back and propagates.
 */
export const runQueuedJob = async (job: QueuedJob): Promise<QueuedJobResult> => {
  const { queue, plan, output, signal } = job
  const { queueId } = plan
  const joined = await queue.ensure(queueId, job.label, plan.items, job.fresh, job.harvestId)
  if (joined === "created") output.notice(`work queue ${queueId}: ${plan.items.length} items of ${job.label} in ${queue.location}`)
  if (joined === "busy") output.notice(`work queue ${queueId}: other workers are on it, so --fresh does not start it over; joining them`)
  const summaries: Array<PipelineSummary> = []
  let waitingNoticed = false
  for (;;) {
    if (signal.aborted) return { summaries, interrupted: true }
    const claimed = await queue.claim(queueId)
    if (claimed === undefined) {
      const progress = await queue.progress(queueId)
      if (progress.done === progress.items) return { summaries, interrupted: false }
      if (!waitingNoticed) {
        output.notice(`work queue ${queueId}: ${progress.items - progress.done} items left, held by other workers; waiting to take over any they leave`)
        waitingNoticed = true
      }
      await sleep(Math.min(POLL_MS, progress.nextLeaseEndsInMs ?? POLL_MS), undefined, { signal }).catch(() => undefined)
      continue
    }
    waitingNoticed = false
    if (claimed.checkpoint !== undefined) {
      output.notice(`work queue ${queueId}: item ${claimed.item} resumes from epoch ${claimed.checkpoint.epoch}, where an earlier worker stopped`)
    }
    const summary = await runClaimed(job, claimed)
    if (summary === undefined) continue
    summaries.push(summary)
    if (summary.status === "interrupted") return { summaries, interrupted: true }
  }
}

/** Runs one claimed item under its lease; undefined when the lease was lost (the item is someone else's now). */
const runClaimed = async (job: QueuedJob, claimed: ClaimedItem): Promise<PipelineSummary | undefined> => {
  const { queue, plan, output } = job
  const { queueId } = plan
  const lease = holdLease(queue, queueId, claimed.item)
  const checkpoints = itemCheckpoints(queue, queueId, claimed.item)
  let summary: PipelineSummary
  try {
    summary = await job.runItem(plan.items[claimed.item]!, claimed.item, checkpoints, AbortSignal.any([job.signal, lease.signal]))
  } catch (error) {
    await lease.stop()
    if (lease.lost) return leaseLost(output, queueId, claimed.item)
    await queue.release(queueId, claimed.item).catch(() => undefined)
    throw lease.failure ?? error
  }
  await lease.stop()
  if (lease.lost) return leaseLost(output, queueId, claimed.item)
  if (lease.failure !== undefined) {
    await queue.release(queueId, claimed.item).catch(() => undefined)
    throw lease.failure
  }
  if (summary.status === "interrupted") {
    await queue.release(queueId, claimed.item)
    return summary
  }
  try {
    await queue.complete(queueId, claimed.item, summary.recordsOut)
  } catch (error) {
    if ((error as { _tag?: string })._tag === "LeaseLostError") return leaseLost(output, queueId, claimed.item)
    throw error
  }
  return summary
}

const leaseLost = (output: Output, queueId: string, item: number): undefined => {
  output.notice(`work queue ${queueId}: item ${item} was taken over by another worker (this one went quiet past its lease); moving on`)
  return undefined
}

interface Lease {
  /** Aborts when the lease is lost or cannot be renewed. */
  readonly signal: AbortSignal
  readonly lost: boolean
  /** Why renewing failed (the coordinator went away), if it did. */
  readonly failure: Error | undefined
  stop(): Promise<void>
}

/** Renews the item's lease every third of its length until stopped; aborts `signal` when it cannot. */
const holdLease = (queue: PostgresWorkQueue, queueId: string, item: number): Lease => {
  const controller = new AbortController()
  let lost = false
  let failure: Error | undefined
  let renewing: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    renewing = queue.renew(queueId, item).then(
      (held) => {
        if (held) return
        lost = true
        controller.abort()
      },
      (error: unknown) => {
        failure = new Error(`--coordinator: renewing the lease of work item ${item} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
        controller.abort()
      }
    )
  }, queue.leaseSeconds * 1000 / 3)
  timer.unref()
  return {
    signal: controller.signal,
    get lost() {
      return lost
    },
    get failure() {
      return failure
    },
    stop: async () => {
      clearInterval(timer)
      await renewing
    }
  }
}

/** The item's checkpoint on its queue row: saved only while this worker holds the lease. */
export const itemCheckpoints = (queue: PostgresWorkQueue, queueId: string, item: number): CheckpointStore => ({
  name: `coordinator work item ${item}`,
  load: () => queue.loadCheckpoint(queueId, item),
  save: (checkpoint: Checkpoint) => queue.saveCheckpoint(queueId, item, checkpoint),
  // Done items keep their last checkpoint: the queue row is the record that the item is finished.
  clear: async () => undefined
})
