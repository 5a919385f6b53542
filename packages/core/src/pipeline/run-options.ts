import type { CheckpointStore } from "../checkpoint/checkpoint-store.js"
import type { ChangesJournal } from "./changes-journal.js"
import type { ProgressListener } from "../progress/progress-event.js"
import type { ProvisionalDays, SinkLogger } from "../sink/sink-plugin.js"

export interface PipelineRunOptions {
  /**
   * Where the runner saves checkpoints (e.g. the runtime's file store). A sink that offers
   * `writer.checkpoints` is consulted too; the run resumes from the lowest epoch among them.
   * With no store at all the run cannot resume.
   */
  readonly checkpoints?: CheckpointStore | undefined
  /** Aborting stops reading, commits what was written, closes sinks: status `interrupted`. */
  readonly signal?: AbortSignal | undefined
  readonly onProgress?: ProgressListener | undefined
  /** An epoch is committed once it holds this many output records. Default 50,000. */
  readonly epochMaxRecords?: number | undefined
  /** …or once this long has passed since its first page, even while waiting for the next. Default 10 s. */
  readonly epochMaxMs?: number | undefined
  /** Ignore any saved checkpoint and start over. */
  readonly fresh?: boolean | undefined
  /**
   * The epoch this run's pass began after: what earlier passes of the harvest committed, which the
   * pass does not fetch again (the CLI's history keeps it with the pass, `pending.fromEpoch`). A
   * resume point below it over every checkpoint store — a start-over too, as when a sink's store lost
   * its checkpoint — would drop that from every sink, so the run fails with `StoreBehindError`
   * before any request and before any sink discards; a resume at it starts the pass (state null).
   * Default 0: a start-over re-fetches everything the run is asked for.
   */
  readonly resumeFloor?: number | undefined
  readonly logger?: SinkLogger | undefined
  /** Given to sinks as `StreamContext.stateDir` (where the webhook sink keeps dead letters). */
  readonly stateDir?: string | undefined
  /**
   * Stamp every record with its provenance (`_harvest_id`, `_fetched_at`, `_log_id`; core's
   * `provenanceFields`) for the sinks to store. Default true.
   */
  readonly provenance?: boolean | undefined
  /**
   * Given to sinks as `StreamContext.provisional`: which rows are of days a later run fetches again,
   * and which days this run replaces (the CLI sets it for video harvests). Default: none.
   */
  readonly provisional?: ProvisionalDays | undefined
  /**
   * A directory for the raw archive: the API responses of every committed page, in
   * `<dir>/<harvest id>.ndjson.gz`, committed with their epoch (docs/architecture.md). Default: none.
   */
  readonly archive?: string | undefined
  /**
   * Where the sinks' changed values are held, durably, from before their epoch's flush until the
   * caller counted them, so a crash right after a checkpoint loses no count (see `ChangesJournal`).
   * Default: none (the `values-changed` events alone, which a crash between the save and the
   * caller's own record of them loses).
   */
  readonly changesJournal?: ChangesJournal | undefined
}
