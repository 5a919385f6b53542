import type { ProgressEvent } from "@tikflow/core/internal"

/** What the progress display shows of the job running now, folded from its `ProgressEvent`s. */
export interface ProgressSnapshot {
  readonly label: string
  readonly records: number
  readonly pages: number
  readonly requests: number
  readonly quota: { readonly used: number; readonly limit: number; readonly resetAt: string } | undefined
  readonly retries: Readonly<Record<string, number>>
  /** Items the API refused (unknown or private users, videos). */
  readonly userErrors: number
  readonly window: string | undefined
  /** Since this job began. */
  readonly elapsedMs: number
  /** Records per second since this job began. */
  readonly rate: number
  /** Estimated milliseconds left of this job, when its total work is known and some is done. */
  readonly etaMs: number | undefined
  /** Share of this job's work done (0..1), when known. */
  readonly done: number | undefined
}

/** What the whole run did, every job together: for the summary. */
export interface ProgressTotals {
  readonly requests: number
  readonly retries: Readonly<Record<string, number>>
}

interface JobCounters {
  records: number
  pages: number
  requests: number
  readonly retries: Record<string, number>
  userErrors: number
  window: string | undefined
  totalUnits: number | undefined
  doneUnits: number
  readonly startedAt: number
}

/**
 * Folds progress events into counters, per job: each job's line counts its own records, requests
 * and time, and its share done comes in the job's own units — days of a video query's range
 * covered, or items of a fan-out done (see `harvest/work-of-state.ts`). The run's totals add up
 * every job for the summary.
 */
export class ProgressTracker {
  private job: JobCounters
  private quota: ProgressSnapshot["quota"]
  private totalRequests = 0
  private readonly totalRetries: Record<string, number> = {}

  constructor(private label: string, private readonly now: () => number = Date.now) {
    this.job = this.freshJob()
  }

  private freshJob(): JobCounters {
    return {
      records: 0, pages: 0, requests: 0, retries: {}, userErrors: 0, window: undefined, totalUnits: undefined, doneUnits: 0,
      startedAt: this.now()
    }
  }

  /** A job begins (e.g. `videos 2024-01-01..2024-02-29`): its counters, clock and work start at zero. */
  begin(label: string): void {
    this.label = label
    this.job = this.freshJob()
  }

  /** Work done out of the total, in the job's units (days of a video query, items of a fan-out). */
  setWork(done: number, total: number): void {
    this.job.doneUnits = done
    this.job.totalUnits = total
  }

  readonly listener = (event: ProgressEvent): void => {
    const job = this.job
    switch (event.type) {
      case "request":
        job.requests++
        this.totalRequests++
        break
      case "page":
        job.pages++
        job.records += event.records
        if (event.window) job.window = event.window
        break
      case "retry":
        job.retries[event.kind] = (job.retries[event.kind] ?? 0) + 1
        this.totalRetries[event.kind] = (this.totalRetries[event.kind] ?? 0) + 1
        break
      case "quota":
        this.quota = { used: event.used, limit: event.limit, resetAt: event.resetAt }
        break
      case "window":
        job.window = event.window
        break
      case "item-refused":
        job.userErrors++
        break
      default:
        break
    }
  }

  snapshot(): ProgressSnapshot {
    const job = this.job
    const elapsedMs = Math.max(1, this.now() - job.startedAt)
    const done = job.totalUnits ? Math.min(1, job.doneUnits / job.totalUnits) : undefined
    const projected = done === undefined ? undefined : done >= 1 ? 0 : done > 0 ? (elapsedMs / done) * (1 - done) : undefined
    // Nothing honest to say until some work is done (a share too small to project from is none).
    const etaMs = projected !== undefined && Number.isFinite(projected) && projected < 100 * 86_400_000 ? projected : undefined
    return {
      label: this.label,
      records: job.records,
      pages: job.pages,
      requests: job.requests,
      quota: this.quota,
      retries: { ...job.retries },
      userErrors: job.userErrors,
      window: job.window,
      elapsedMs,
      rate: (job.records * 1000) / elapsedMs,
      etaMs,
      done
    }
  }

  totals(): ProgressTotals {
    return { requests: this.totalRequests, retries: { ...this.totalRetries } }
  }
}
