import type { Stream } from "effect"
import type { SourceError } from "../errors/api-errors.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { RecordKind, RecordKinds } from "../records/record-kind.js"

/**
 * One API response as it arrived: what the raw archive keeps and replay decodes again. The
 * request is what was sent (endpoint, `fields`, body text), the body the bytes as received.
 */
export interface RawResponse {
  /** The endpoint path, e.g. `/v2/research/video/query/`. */
  readonly endpoint: string
  /** The `fields` query parameter sent, comma-separated ("" when none). */
  readonly fields: string
  /** The JSON request body sent, as text. */
  readonly request: string
  readonly status: number
  /** The response's `x-tt-logid` header, null when absent. */
  readonly logId: string | null
  /** When the response body had fully arrived (ms since the epoch). */
  readonly receivedAt: number
  /** The body bytes exactly as received. */
  readonly body: Uint8Array
  /**
   * True when the client parsed the body as one JSON document (every answer a page is made of):
   * the raw archive then embeds it in its line as is instead of escaping it into a string.
   */
  readonly bodyIsJson?: boolean | undefined
}

/**
 * One page of records as a source delivers it, with the source's resume state *after* this page.
 * Saving `state` once every record of this page (and all earlier pages) is durable in every sink
 * gives exactly-once delivery on resume. The records are handed over: the runner adds the
 * provenance fields to them in place.
 */
export interface SourcePage<R> {
  readonly records: ReadonlyArray<R>
  readonly state: unknown
  /**
   * The API responses this page was made of, in order (built-in sources: one, the final answer of
   * its request after any retries: a success, or the refusal that made it a refused item; none
   * for a page that is only a state change, such as a window split). The runner stamps the page's
   * records' provenance from the last one and archives them with the epoch. Optional: a source
   * without it gets the time the runner received the page and a null log id.
   */
  readonly responses?: ReadonlyArray<RawResponse> | undefined
  /**
   * The epoch this page must be committed in (the replay's archived pages: the one the harvest
   * committed it in, so the rebuilt outputs hold each row at the harvest's epoch and a later run of
   * the harvest, resuming at its own epoch, keeps them). A page of another epoch than the open one
   * commits it first; such epochs are not committed by size or time. Optional: the runner numbers
   * the epochs itself.
   */
  readonly epoch?: number | undefined
}

/** A request a source would send first for one window or item, as its `plan` lists it (nothing is sent). */
export interface PlannedRequest {
  /** What the request is for: `window 20240101-20240130`, `user alice`, `video 7320768196569599275`. */
  readonly target: string
  readonly endpoint: string
  readonly fields: ReadonlyArray<string>
  /** The JSON body exactly as it would be sent. */
  readonly body: string
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
  /**
   * The next request of every window or item still to harvest after `resumeFrom`, computed
   * without sending anything (`--dry-run`): the harvest takes at least one request for each, more
   * where the API pages. Optional: a source that cannot tell leaves it out.
   */
  plan?(resumeFrom?: unknown): ReadonlyArray<PlannedRequest>
}
