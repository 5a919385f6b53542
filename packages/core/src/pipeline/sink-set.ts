import * as Effect from "effect/Effect"
import type { Checkpoint } from "../checkpoint/checkpoint-store.js"
import type { SinkError } from "../errors/sink-error.js"
import { sinkStepEffect, toSinkError } from "../errors/to-sink-error.js"
import { changesOf } from "../sink/changed-values.js"
import type { BoundSink, BoundWriter, StreamContext } from "../sink/sink-plugin.js"
import { type CommittedChanges, committedChanges } from "./committed-changes.js"

/** One opened sink and what it has been given. */
export interface OpenSink {
  readonly sink: BoundSink
  readonly writer: BoundWriter
  recordsWritten: number
  /** The values it stored changed, counted as their epochs commit. */
  readonly changes: CommittedChanges
  closed: boolean
}

const attempt = <A>(sink: BoundSink, operation: SinkError["operation"], run: () => Promise<A>): Effect.Effect<A, SinkError> =>
  sinkStepEffect(sink.name, operation, run)

export const openSinks = (sinks: ReadonlyArray<BoundSink>, context: StreamContext): Effect.Effect<Array<OpenSink>, SinkError> =>
  Effect.forEach(sinks, (sink) =>
    Effect.map(attempt(sink, "open", () => sink.open(context)), (writer): OpenSink => ({
      sink,
      writer,
      recordsWritten: 0,
      changes: committedChanges(),
      closed: false
    })), { concurrency: "unbounded" })

/**
 * Writes one page's output to every sink. Uninterruptible: a page is either in every sink or in
 * none, so an interruption can still commit the pages written before it. The sinks' writes run at
 * once, as one promise: a fiber per sink per page (a CLI run has two sinks, the user's and the
 * history's day counts) cost more than the writes of a page of short records. The first failure
 * fails the page once every write has ended; a sink's count grows only for a write that ended
 * before any failed. What a write said it changed waits for its epoch's commit.
 */
export const writeAll = (open: ReadonlyArray<OpenSink>, records: ReadonlyArray<unknown>, epoch: number): Effect.Effect<void, SinkError> => {
  if (records.length === 0) return Effect.void
  const batch = { records: records as ReadonlyArray<never>, epoch }
  if (open.length === 1) {
    const entry = open[0]
    return Effect.uninterruptible(Effect.map(attempt(entry.sink, "write", () => entry.writer.write(batch)), (result) => {
      entry.recordsWritten += records.length
      if (result !== undefined) wrote(entry, epoch, result)
    }))
  }
  return Effect.uninterruptible(Effect.tryPromise({
    try: () => {
      // Every write ends before the page's outcome, failed or not: a sink is never closed (nor the
      // run failed) while another sink's write of the page still runs.
      let failure: SinkError | undefined
      return Promise.all(open.map((entry) =>
        started(() => entry.writer.write(batch)).then(
          (result) => {
            if (failure === undefined) entry.recordsWritten += records.length
            if (result !== undefined) wrote(entry, epoch, result)
          },
          (cause) => {
            failure ??= toSinkError(entry.sink.name, "write", cause)
          }
        )
      )).then(() => {
        if (failure !== undefined) throw failure
      })
    },
    catch: (error) => error as SinkError
  }))
}

const wrote = (entry: OpenSink, epoch: number, result: unknown): void => {
  const changes = changesOf(result)
  if (changes !== undefined) entry.changes.wrote(epoch, changes)
}

/** A plugin's step started now; one that throws instead of rejecting fails the same way. */
const started = <A>(step: () => Promise<A>): Promise<A> => {
  try {
    return step()
  } catch (cause) {
    return Promise.reject(cause)
  }
}

export const flushAll = (open: ReadonlyArray<OpenSink>, checkpoint: Checkpoint): Effect.Effect<void, SinkError> =>
  Effect.forEach(open, (entry) => attempt(entry.sink, "flush", () => entry.writer.flush({ epoch: checkpoint.epoch, checkpoint })), {
    concurrency: "unbounded",
    discard: true
  })

/** Closes every sink not yet closed; the first failure is reported after all were tried. */
export const closeAll = (open: ReadonlyArray<OpenSink>): Effect.Effect<void, SinkError> =>
  Effect.gen(function*() {
    let failure: SinkError | undefined
    for (const entry of open) {
      if (entry.closed) continue
      entry.closed = true
      const result = yield* Effect.result(attempt(entry.sink, "close", () => entry.writer.close()))
      if (result._tag === "Failure") failure ??= result.failure
    }
    if (failure !== undefined) return yield* failure
  })
