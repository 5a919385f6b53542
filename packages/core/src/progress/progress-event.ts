import type { ChangedValues } from "../sink/changed-values.js"

/** What a running harvest reports, for progress displays, logs and users' own subscribers. */
export type ProgressEvent =
  /**
   * A research request is handed to the transport now (its quota unit taken): a SIGKILL from here on
   * may leave it counted by the API. The `request` event follows when it ended.
   */
  | { readonly type: "sending"; readonly endpoint: string }
  /** A research request ended; `sent: false` when the transport proves it never left (its quota unit was given back). */
  | {
    readonly type: "request"
    readonly endpoint: string
    readonly status: number
    readonly durationMs: number
    readonly sent?: false | undefined
  }
  | {
    readonly type: "page"
    readonly endpoint: string
    readonly records: number
    readonly window?: string | undefined
    readonly hasMore: boolean
  }
  | {
    readonly type: "retry"
    readonly endpoint: string
    readonly kind: string
    readonly attempt: number
    readonly delayMs: number
  }
  | { readonly type: "quota"; readonly used: number; readonly limit: number; readonly resetAt: string }
  | {
    readonly type: "window"
    readonly window: string
    readonly state: "start" | "done" | "split" | "resumed"
  }
  | { readonly type: "token"; readonly action: "fetched" | "refreshed" | "rejected" }
  | ItemRefusedEvent
  | { readonly type: "records-out"; readonly stage: string; readonly records: number }
  | { readonly type: "checkpoint"; readonly harvestId: string; readonly epoch: number }
  | ValuesChangedEvent

/**
 * A sink stored values of an epoch changed (a lone surrogate as U+FFFD, …): emitted once the epoch
 * is committed, before its `checkpoint` event, so each committed epoch's changes come once across
 * a run and its resumes (an epoch delivered again after a crash was never counted).
 */
export interface ValuesChangedEvent {
  readonly type: "values-changed"
  readonly harvestId: string
  readonly epoch: number
  /** The sink's name, e.g. `parquet:./out`. */
  readonly sink: string
  readonly changes: ReadonlyArray<ChangedValues>
}

/**
 * The API refused one item of a keyed harvest (an unknown or deleted video, a private or unknown
 * account, a private list) for that item only; the harvest goes on. `itemKind` says what `item` is.
 */
export interface ItemRefusedEvent {
  readonly type: "item-refused"
  readonly endpoint: string
  readonly itemKind: "video_id" | "username"
  readonly item: string
  /** The API's error code, e.g. `invalid_params`. */
  readonly code: string
  /** The API's message, e.g. "User x is private or does not exist". */
  readonly message: string
}

/** A subscriber to progress events. Must not throw; it runs on the harvest's hot path. */
export type ProgressListener = (event: ProgressEvent) => void
