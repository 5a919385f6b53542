import type { Effect, Scope } from "effect"
import type { RecordKind } from "../records/record-kind.js"

/**
 * What a transform knows when it starts. The pipeline runner fills it; standalone use (a
 * `Stream` combinator or an RxJS operator) gives only what the caller passed.
 */
export interface TransformContext {
  /** The record kind flowing in, when known: stages default their key to its primary key. */
  readonly recordKind?: RecordKind | undefined
  /** Namespaces persistent state (e.g. a dedupe key store) per harvest. */
  readonly harvestId?: string | undefined
  /**
   * Set when the pipeline resumes: the last committed epoch. Stateful stages drop any state they
   * recorded for a later epoch, exactly like sinks do, since those records will come again.
   */
  readonly resume?: { readonly epoch: number } | undefined
  /**
   * True under the pipeline runner, which calls `commit(epoch)` before every checkpoint. False in
   * standalone use, where a stage persists its state when the input ends or the stream closes.
   */
  readonly epochs: boolean
}

/** Counters every stage keeps, summed into the pipeline summary. */
export interface StageStats {
  readonly recordsIn: number
  readonly recordsOut: number
  /** Records removed as duplicates (dedupe). */
  readonly duplicates: number
  /** Records removed for another reason (a lookup miss with policy `drop`, an unmatched inner-join row). */
  readonly dropped: number
}

/**
 * A running stage: a stateful function from one batch of input records to the records it emits.
 * The pipeline runs it page by page, so a page's output lines up with the page's checkpoint
 * state; the `Stream` and RxJS forms run it chunk by chunk. Output never depends on how the input
 * is cut into batches.
 */
export interface TransformStep<A, B, E = never, R = never> {
  readonly process: (records: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<B>, E, R>
  /** The input ended: emit whatever the stage still holds. */
  readonly end: Effect.Effect<ReadonlyArray<B>, E, R>
  /**
   * How many input records the stage holds back to emit later. The runner never commits a
   * checkpoint while a stage holds records, since they would be lost on a crash.
   */
  readonly held: () => number
  /** Make state for every epoch ≤ `epoch` durable; the runner calls it before saving a checkpoint. */
  readonly commit: (epoch: number) => Effect.Effect<void, E, R>
  readonly stats: () => StageStats
}

/**
 * A transform, described but not running: a plain value you can put in a pipeline, apply to a
 * `Stream` (`asStream`) or use as an RxJS operator (`asOperator`), with the same semantics.
 */
export interface Transform<in A, out B, out E = never, out R = never> {
  readonly name: string
  /**
   * Fields this transform adds to every record it passes on (a lookup join's `enrichAs("author")`
   * adds `author`). Sinks with fixed columns (DuckDB, Parquet, Arrow) store each as a JSON text
   * column; undeclared extra fields make those sinks fail rather than drop them.
   */
  readonly addsFields?: ReadonlyArray<string> | undefined
  /** Starts a run with fresh state; resources (files) are released when the scope closes. */
  readonly open: (context: TransformContext) => Effect.Effect<TransformStep<A, B, E, R>, E, R | Scope.Scope>
}
