import { utcDay, type ProgressEvent } from "@tikflow/core/internal"
import type { VideoQueryFilter } from "@tikflow/sources/internal"
import { ExitCode } from "../exit-codes.js"
import { describeFailure } from "../failure.js"
import { endRun, type RunOutcome } from "./harvest-history.js"
import { harvestRequestOf } from "./job-sources.js"
import type { JobSpec } from "./job-spec.js"
import type { OpenRun } from "./open-run.js"

/**
 * What one pass of a harvest adds to its history: requests per UTC day, errors by kind, refused
 * items, and how the pass ended (its last committed epoch, when known).
 */
export const passHistory = (run: OpenRun, source: { readonly harvestId: string; readonly stream: string }, items: ReadonlyArray<string>) => {
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
      await ended(quota ? "stopped" : signal.aborted ? "interrupted" : "failed", lastEpoch).catch(() => undefined)
    },
    /** Stopped by `--max-records` (stopped) or a signal (interrupted). */
    interrupted: (lastEpoch: number | undefined) => ended(run.limit?.reached && !signal.aborted ? "stopped" : "interrupted", lastEpoch)
  }
}

/** The harvest's identity as its history keeps it: endpoint and normalized request, without range or list. */
export const identityOf = (job: JobSpec, id: string, stream: string, query: VideoQueryFilter | undefined) => ({
  id,
  endpoint: job.source.endpoint,
  stream,
  request: {
    ...harvestRequestOf(job.source, query),
    ...(job.source.endpoint === "videos" && typeof job.source.query === "string" ? { queryText: job.source.query } : {})
  }
})
