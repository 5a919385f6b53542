import type { RecordBatch, Schema as ArrowSchema } from "apache-arrow"
import type { Checkpoint, CheckpointStore } from "../checkpoint/checkpoint-store.js"
import type { AnyRecord, RecordKind } from "../records/record-kind.js"
import type { ChangedValues } from "./changed-values.js"

/**
 * The sink plugin contract, version 3. A plugin is a plain object; its author needs neither Effect
 * nor anything else of tikflow but these types. Built-in sinks implement exactly this contract.
 * Version 2 added the writer's `discardUncommitted` hook; version 3 adds `StreamContext.provisional`
 * and the writer's `replaceDays` hook (a provisional day fetched again replaces its earlier rows).
 * Version 1 and 2 plugins still load (without `replaceDays` a sink keeps the earlier rows beside
 * the new ones, which the run reports). A plugin declaring a version this tikflow does not know
 * fails to load with a message saying which side to upgrade.
 */
export const SINK_CONTRACT_VERSION = 3 as const

/** The contract versions this tikflow loads. */
export const SUPPORTED_SINK_CONTRACTS: ReadonlyArray<number> = [1, 2, 3]

/** Turns raw config (from a URI's query string or a pipeline file's `options`) into typed config. */
export interface SinkConfigValidator<Config> {
  /**
   * Returns the config or throws a `ConfigError` (`ConfigError.make(field, expected, got)`, or the
   * option readers: `readEnum`, `readInt`, …) naming the field and what was expected, e.g.
   * `compression: expected one of zstd, snappy, none, got "lz4"`. Any other `Error` is shown whole.
   */
  parse(input: SinkTarget): Config
}

/** Where a sink writes: `scheme:location?key=value&…`, e.g. `parquet:./out?partition=create_date`. */
export interface SinkTarget {
  readonly uri: string
  readonly scheme: string
  /** The part after `scheme:` without the query string (a path, a URL, `-` for stdout, …). */
  readonly location: string
  readonly options: Readonly<Record<string, string | number | boolean>>
}

export interface SinkLogger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** What the runner knows when it opens a sink for one stream of one harvest. */
export interface StreamContext {
  readonly harvestId: string
  readonly recordKind: RecordKind
  /** The logical table: `videos`, `comments`, `user_info`, `followers`, `liked_videos`, … */
  readonly stream: string
  readonly primaryKey: ReadonlyArray<string>
  /**
   * Fields the pipeline's transforms add to every record beyond the record kind's (a join's
   * `author`), in order. Sinks with fixed columns must store them (the built-in ones: one JSON text
   * column each, also in `arrowSchema`) or fail; never drop them.
   */
  readonly addedFields?: ReadonlyArray<string> | undefined
  /**
   * True when every record carries the provenance fields (`_harvest_id`, `_fetched_at`,
   * `_log_id`: core's `provenanceFields`), which the runner stamps by default. Sinks with fixed
   * columns store them as the last columns (text; also in `arrowSchema`).
   */
  readonly provenance?: boolean | undefined
  readonly logger: SinkLogger
  /** Aborted when the run is cancelled; long writes should stop early. */
  readonly signal: AbortSignal
  /**
   * Set when resuming: the last epoch whose checkpoint was committed. Anything this sink wrote for
   * a later epoch was never acknowledged and will be delivered again. Contract 2 writers discard it
   * in their `discardUncommitted` hook, which the registry calls at the right time; a contract 1
   * writer had to discard lazily itself, at its first `write` or `flush`, never in `open` (the
   * runner may open a sink, learn a lower committed epoch from another checkpoint store, and reopen
   * it with that epoch).
   */
  readonly resume: { readonly epoch: number } | undefined
  /**
   * The run's state directory (the CLI's `--state`), for a sink's own bookkeeping that must
   * outlive the run, e.g. dead letters; undefined when the runner keeps no state on disk.
   */
  readonly stateDir?: string | undefined
  /**
   * Contract 3. Set for harvests with provisional days (video queries: the API still adds to the
   * last ~48 h, and the next run fetches those days again). Rows whose `field` falls at or after
   * `from` are of such days: a sink that can replace rows later keeps them findable by day (the
   * file sinks: a part file per day, an offset per day). `replaces` says what this run replaces.
   */
  readonly provisional?: ProvisionalDays | undefined
}

/** Days of a harvest that a later run may fetch again (`StreamContext.provisional`). */
export interface ProvisionalDays {
  /** The record field that places a row in a UTC day: a unix time in seconds (`create_time`). */
  readonly field: string
  /** Unix seconds, a UTC midnight: rows whose `field` is at or after it are of provisional days. */
  readonly from: number
  /** Set when this run fetches days again that earlier runs of the harvest delivered. */
  readonly replaces?: DayReplacement | undefined
}

/**
 * Days this run fetches again: the rows this harvest committed for them at epochs ≤ `through`
 * are replaced by what this run delivers (a row the API no longer lists goes too).
 */
export interface DayReplacement {
  /** The record field that places a row in a day: a unix time in seconds (`create_time`). */
  readonly field: string
  /** UTC days, `YYYY-MM-DD`, ascending (`dayBounds` gives each day's unix-seconds range). */
  readonly days: ReadonlyArray<string>
  /** The harvest's last committed epoch before this run: only rows of epochs ≤ it are replaced. */
  readonly through: number
}

/** What a plugin's `open` receives: the stream context plus its target, config and Arrow schema. */
export interface SinkContext<Config = unknown> extends StreamContext {
  readonly target: SinkTarget
  readonly config: Config
  /**
   * The stable Arrow schema of `recordKind`, plus a utf8 (JSON text) column per added field, then
   * the utf8 provenance columns when `provenance` is set.
   */
  readonly arrowSchema: ArrowSchema
}

export interface SinkBatch<R = AnyRecord> {
  readonly records: ReadonlyArray<R>
  /** Present when the plugin asked for `batchFormat: "arrow"`. */
  readonly arrow?: RecordBatch | undefined
  /** The epoch these records belong to; it is committed by a later `flush`. */
  readonly epoch: number
}

export interface SinkCommit {
  readonly epoch: number
  /** The harvest's checkpoint after this epoch, for sinks that store checkpoints with their data. */
  readonly checkpoint: Checkpoint
}

export interface SinkWriter<R = AnyRecord> {
  /**
   * Contract 2. Called once per writer, before its first `write` or `flush` — never during `open`,
   * so a sink reopened at a lower epoch loses nothing. `resume` is the stream context's: the last
   * committed epoch, or `undefined` when this harvest starts from scratch. Remove (or mark for an
   * upsert) whatever this harvest wrote for later epochs; they will be delivered again.
   */
  discardUncommitted?(resume: { readonly epoch: number } | undefined): Promise<void>
  /**
   * Contract 3. Called once, after `discardUncommitted` and before the first `write` or `flush`,
   * when this run fetches days again (`context.provisional.replaces`) from its start (the resume
   * epoch is `replace.through`). Remove the rows of this harvest whose `replace.field` falls on one
   * of `replace.days` and that were committed at epochs ≤ `replace.through`, durably by the time
   * the next `flush` resolves (a transactional sink: in that flush's transaction), never before the
   * new rows are written (a file sink: after them). A crash before that flush calls it again on
   * resume: it must be idempotent. Resolves to the number of rows removed when the sink knows it.
   * A sink without the hook keeps the earlier rows beside the new ones; the run reports it.
   */
  replaceDays?(replace: DayReplacement): Promise<number | undefined | void>
  /**
   * Takes a page of records of `batch.epoch`. Resolves to nothing, or (any contract version; an
   * older runner ignores it) to the values of the batch this writer stores changed — per column
   * and reason, e.g. `[{column: "video_description", reason: "lone-surrogate", count: 1}]`
   * (`changeTally()` counts them) — which the run counts once the epoch commits and reports in its
   * summary and exit code. A value the sink cannot store at all is refused instead (throw).
   */
  write(batch: SinkBatch<R>): Promise<void | ReadonlyArray<ChangedValues> | undefined>
  /**
   * Make everything written so far durable. Resolving means the records of every epoch ≤
   * `commit.epoch` survive a crash; only then does the runner commit the checkpoint.
   */
  flush(commit: SinkCommit): Promise<void>
  close(): Promise<void>
  /** A sink that stores checkpoints atomically with its data offers them here (e.g. DuckDB). */
  readonly checkpoints?: CheckpointStore | undefined
  /**
   * Optional, any contract version. `true` lets the runner call `write` with epoch N+1 while the
   * `flush` of epoch N is still running (never epoch N+2, never a second `flush`, `close` or hook
   * before it resolves): that flush must make durable epoch N and what came before, and leave the
   * later writes uncommitted (`discardUncommitted` removes them on resume). The harvest then keeps
   * fetching during a slow flush. A run with any writer without it (and a runner that does not know
   * it) keeps the strict order: no write until the flush resolved.
   */
  readonly writesDuringFlush?: boolean | undefined
}

export interface SinkPlugin<Config = unknown> {
  /** The contract version this plugin implements; checked on load. */
  readonly contract: 1 | 2 | typeof SINK_CONTRACT_VERSION
  readonly name: string
  /** URI schemes this plugin answers, without the colon: `["parquet"]`. */
  readonly schemes: ReadonlyArray<string>
  readonly description?: string
  /** One line per option, for `tikflow plugins`. */
  readonly options?: Readonly<Record<string, string>>
  readonly config: SinkConfigValidator<Config>
  /** `records` (default) or `arrow` to also receive each batch as an Arrow `RecordBatch`. */
  readonly batchFormat?: "records" | "arrow"
  open(context: SinkContext<Config>): Promise<SinkWriter>
}

/** Identity function that type-checks a plugin object: `export default defineSink({ … })`. */
export const defineSink = <Config>(plugin: SinkPlugin<Config>): SinkPlugin<Config> => plugin

/**
 * A plugin bound to its target and validated config (made by `@tikflow/sinks`' registry): what the
 * pipeline runner opens, once per stream, without knowing about URIs or Arrow schemas.
 */
export interface BoundSink {
  /** For messages and summaries, e.g. `parquet:./out`. Never contains a secret. */
  readonly name: string
  open(context: StreamContext): Promise<BoundWriter>
}

/** A bound sink's writer: the plugin's, plus what the binding learnt while driving it. */
export interface BoundWriter extends SinkWriter {
  /** The rows the plugin's `replaceDays` said it removed, once it ran (undefined when it did not say). */
  readonly replacedRows?: number | undefined
}
