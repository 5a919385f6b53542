import type { ProgressEvent } from "@tikflow/core"

/** What the progress display shows, folded from a harvest's `ProgressEvent`s. */
export interface ProgressSnapshot {
  readonly label: string
  readonly records: number
  readonly pages: number
  readonly requests: number
  readonly quota: { readonly used: number; readonly limit: number; readonly resetAt: string } | undefined
  readonly retries: Readonly<Record<string, number>>
  readonly userErrors: number
  readonly window: string | undefined
  readonly elapsedMs: number
  /** Records per second since the start. */
  readonly rate: number
  /** Estimated milliseconds left, when the total work is known. */
  readonly etaMs: number | undefined
  /** Share of the work done (0..1), when known. */
  readonly done: number | undefined
}

/**
 * Folds progress events into counters. The work done and its total come from the source's resume
 * state (see `harvest/work-of-state.ts`), which is what makes an ETA knowable.
 */
export class ProgressTracker {
  private records = 0
  private pages = 0
  private requests = 0
  private quota: ProgressSnapshot["quota"]
  private readonly retries: Record<string, number> = {}
  private userErrors = 0
  private window: string | undefined
  private totalUnits: number | undefined
  private doneUnits = 0
  private readonly startedAt: number

  constructor(private label: string, private readonly now: () => number = Date.now) {
    this.startedAt = now()
  }

  /** Sets what is running now (e.g. `videos 2024-01-01..2024-02-29`), resetting the work done. */
  begin(label: string): void {
    this.label = label
    this.window = undefined
    this.totalUnits = undefined
    this.doneUnits = 0
  }

  /** Work done out of the total (days of a video query, users or videos of a keyed harvest). */
  setWork(done: number, total: number): void {
    this.doneUnits = done
    this.totalUnits = total
  }

  readonly listener = (event: ProgressEvent): void => {
    switch (event.type) {
      case "request":
        this.requests++
        break
      case "page":
        this.pages++
        this.records += event.records
        if (event.window) this.window = event.window
        break
      case "retry":
        this.retries[event.kind] = (this.retries[event.kind] ?? 0) + 1
        break
      case "quota":
        this.quota = { used: event.used, limit: event.limit, resetAt: event.resetAt }
        break
      case "window":
        this.window = event.window
        break
      case "item-refused":
        this.userErrors++
        break
      default:
        break
    }
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(1, this.now() - this.startedAt)
    const done = this.totalUnits ? Math.min(1, this.doneUnits / this.totalUnits) : undefined
    const etaMs = done !== undefined && done > 0 && done < 1 ? (elapsedMs / done) * (1 - done) : done === 1 ? 0 : undefined
    return {
      label: this.label,
      records: this.records,
      pages: this.pages,
      requests: this.requests,
      quota: this.quota,
      retries: { ...this.retries },
      userErrors: this.userErrors,
      window: this.window,
      elapsedMs,
      rate: (this.records * 1000) / elapsedMs,
      etaMs,
      done
    }
  }
}
