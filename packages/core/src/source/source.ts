import type { Stream } from "effect"
import type { SourceError } from "../errors/api-errors.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { RecordKind, RecordKinds } from "../records/record-kind.js"

/**
 * One page of records as a source delivers it, with the source's resume state *after* this page.
 * Saving `state` once every record of this page (and all earlier pages) is durable in every sink
 * gives exactly-once delivery on resume.
 */
export interface SourcePage<R> {
  readonly records: ReadonlyArray<R>
  readonly state: unknown
}

/**
 * A harvest of one endpoint, described but not yet running. Implemented by `@tikflow/sources`;
 * consumed by the pipeline runner in core, which knows nothing of HTTP.
 */
export interface Source<K extends RecordKind, Env = never> {
  readonly kind: K
  /** The logical table records land in, e.g. `videos`, `comments`, `followers`. */
  readonly stream: string
  /** Stable id derived from the normalized request (endpoint, query, dates, fields). */
  readonly harvestId: string
  /** Pages, resuming after `resumeFrom` (a `SourcePage.state` saved earlier) when given. */
  pages(options?: {
    readonly resumeFrom?: unknown
    readonly onProgress?: ProgressListener
  }): Stream.Stream<SourcePage<RecordKinds[K]>, SourceError, Env>
}
