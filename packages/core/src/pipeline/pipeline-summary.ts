import type { RecordKind } from "../records/record-kind.js"
import type { ChangedValues } from "../sink/changed-values.js"
import type { StageStats } from "../transform/transform.js"

export interface StageSummary extends StageStats {
  readonly name: string
}

export interface SinkSummary {
  readonly name: string
  readonly recordsWritten: number
  /**
   * Values the sink stored changed (a lone surrogate as U+FFFD, …), per column and reason, in the
   * epochs this run committed; empty when none.
   */
  readonly changedValues: ReadonlyArray<ChangedValues>
  /**
   * Set when the run fetched days again (`provisional.replaces`): false for a sink without the
   * `replaceDays` hook, which keeps the earlier rows of those days beside the new ones.
   */
  readonly replacesDays?: boolean
  /**
   * The rows of those days the sink's `replaceDays` said it removed, when it says (the CLI compares
   * them with the rows the harvest delivered earlier: fewer means earlier copies stayed).
   */
  readonly replacedRows?: number
}

/** What a pipeline run did. An `interrupted` run committed what it had and can be resumed. */
export interface PipelineSummary {
  readonly harvestId: string
  readonly stream: string
  readonly recordKind: RecordKind
  readonly status: "completed" | "interrupted"
  /** Whether the run started from a saved checkpoint, and from which epoch. */
  readonly resumed: boolean
  readonly resumedFromEpoch: number | undefined
  readonly pages: number
  /** Records the source delivered (before any stage). */
  readonly recordsIn: number
  /** Records written to each sink (after every stage). */
  readonly recordsOut: number
  readonly stages: ReadonlyArray<StageSummary>
  readonly sinks: ReadonlyArray<SinkSummary>
  /** Sum of the stages' `duplicates`. */
  readonly duplicatesDropped: number
  /** `retry` progress events the source reported. */
  readonly retries: number
  readonly epochsCommitted: number
  /** The last committed epoch (0 when nothing was ever committed). */
  readonly lastEpoch: number
  readonly durationMs: number
}

/** The summary of a finished run, from what its parts counted. */
export const summaryOf = (run: {
  readonly source: { readonly harvestId: string; readonly stream: string; readonly kind: RecordKind }
  readonly status: PipelineSummary["status"]
  readonly resumeFrom: { readonly epoch: number } | undefined
  readonly counts: {
    readonly pages: number
    readonly recordsIn: number
    readonly recordsOut: number
    readonly epochsCommitted: number
    readonly lastEpoch: number
  }
  readonly stages: ReadonlyArray<StageSummary>
  readonly sinks: ReadonlyArray<{ readonly sink: { readonly name: string }; readonly writer: { readonly replaceDays?: unknown; readonly replacedRows?: number | undefined }; readonly recordsWritten: number; readonly changes: { readonly counted: ReadonlyArray<ChangedValues> } }>
  /** The days the run fetched again, if any. */
  readonly replaces?: unknown
  readonly retries: number
  readonly durationMs: number
}): PipelineSummary => ({
  harvestId: run.source.harvestId,
  stream: run.source.stream,
  recordKind: run.source.kind,
  status: run.status,
  resumed: run.resumeFrom !== undefined,
  resumedFromEpoch: run.resumeFrom?.epoch,
  pages: run.counts.pages,
  recordsIn: run.counts.recordsIn,
  recordsOut: run.counts.recordsOut,
  stages: run.stages,
  sinks: run.sinks.map((entry) => ({
    name: entry.sink.name,
    recordsWritten: entry.recordsWritten,
    changedValues: entry.changes.counted,
    ...(run.replaces === undefined ? {} : { replacesDays: entry.writer.replaceDays !== undefined }),
    ...(run.replaces === undefined || entry.writer.replacedRows === undefined ? {} : { replacedRows: entry.writer.replacedRows })
  })),
  duplicatesDropped: run.stages.reduce((sum, stage) => sum + stage.duplicates, 0),
  retries: run.retries,
  epochsCommitted: run.counts.epochsCommitted,
  lastEpoch: run.counts.lastEpoch,
  durationMs: run.durationMs
})
