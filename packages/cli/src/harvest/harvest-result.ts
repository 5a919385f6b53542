import type { PipelineSummary, RetryPolicy } from "@tikflow/core/internal"
import type { ExitCode } from "../exit-codes.js"
import type { ChangedInSink } from "./changed-values.js"
import type { HarvestRefusals } from "./refused-items.js"

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
  /** Provisional days fetched again, per harvest whose pass finished: their earlier rows were replaced. */
  readonly replaced: ReadonlyArray<ReplacedDays>
  /**
   * Values the user's outputs stored changed (a lone surrogate as U+FFFD, a NUL escaped), per
   * harvest and sink, in the epochs this run committed (an interrupted earlier process's too).
   */
  readonly changed: ReadonlyArray<ChangedInSink>
}

export interface ReplacedDays {
  readonly job: string
  readonly harvestId: string
  readonly stream: string
  readonly days: ReadonlyArray<string>
  /** Rows the harvest's earlier runs delivered for those days, and what this run delivered instead. */
  readonly rowsBefore: number
  readonly rowsAfter: number
  /** The sinks that kept earlier rows of those days beside the new ones (the names of `kept`). */
  readonly keptCopies: ReadonlyArray<string>
  /** Per sink that kept earlier rows: how many, and why. */
  readonly kept: ReadonlyArray<KeptRows>
}

export interface KeptRows {
  readonly sink: string
  readonly rows: number
  /**
   * `no-hook`: a sink without the `replaceDays` hook (sink contract 3) keeps every earlier row;
   * `not-replaceable`: its hook removed fewer rows than the harvest delivered earlier (rows an older
   * tikflow or another writer left outside its provisional parts); `work-queue`: a file output of a
   * run with a coordinator, where each work item is its own harvest and the earlier rows (in this or
   * another worker's files) are not the run's to replace: every earlier row counts.
   */
  readonly reason: "no-hook" | "not-replaceable" | "work-queue"
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
