import * as Effect from "effect/Effect"
import type { Scope } from "effect"
import type { Checkpoint, CheckpointStore } from "../checkpoint/checkpoint-store.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import type { BoundSink, StreamContext } from "../sink/sink-plugin.js"
import { loadFrom, reconcile } from "./checkpoint-stores.js"
import type { OpenSink } from "./sink-set.js"
import { closeAll, openSinks } from "./sink-set.js"

/** The sinks, open at the epoch the run resumes from (`undefined`: from the start). */
export interface ResumePoint {
  readonly sinks: ReadonlyArray<OpenSink>
  readonly resumeFrom: Checkpoint | undefined
}

/** Opens the sinks; they are closed (if the run did not) when the scope closes. */
const openClosingLater = (sinks: ReadonlyArray<BoundSink>, context: StreamContext) =>
  Effect.gen(function*() {
    const open = yield* openSinks(sinks, context)
    yield* Effect.addFinalizer(() => Effect.ignore(closeAll(open)))
    return open
  })

/**
 * Finds where the run resumes and opens the sinks there. Sink stores can be read only once the
 * sinks are open (see `reconcile`), so the sinks are opened at the runner store's checkpoint and
 * reopened at the reconciled one when it differs.
 */
export const openAtResumePoint = (options: {
  readonly sinks: ReadonlyArray<BoundSink>
  readonly harvestId: string
  readonly checkpoints: CheckpointStore | undefined
  readonly fresh: boolean
  readonly contextAt: (checkpoint: Checkpoint | undefined) => StreamContext
}): Effect.Effect<ResumePoint, SinkError | CheckpointError, Scope.Scope> =>
  Effect.gen(function*() {
    const { harvestId, checkpoints, fresh } = options
    const runnerCheckpoint = checkpoints !== undefined && !fresh ? yield* loadFrom(checkpoints, harvestId) : undefined
    const sinks = yield* openClosingLater(options.sinks, options.contextAt(runnerCheckpoint))
    if (fresh) return { sinks, resumeFrom: undefined }
    const loaded: Array<Checkpoint | undefined> = checkpoints !== undefined ? [runnerCheckpoint] : []
    for (const entry of sinks) {
      if (entry.writer.checkpoints !== undefined) loaded.push(yield* loadFrom(entry.writer.checkpoints, harvestId))
    }
    const resumeFrom = reconcile(loaded)
    if (resumeFrom?.epoch === runnerCheckpoint?.epoch) return { sinks, resumeFrom }
    // A sink's own store is behind the runner's, or the runner has no store: reopen every sink
    // at the reconciled epoch.
    yield* closeAll(sinks)
    return { sinks: yield* openClosingLater(options.sinks, options.contextAt(resumeFrom)), resumeFrom }
  })
