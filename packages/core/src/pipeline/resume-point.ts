import * as Effect from "effect/Effect"
import type { Scope } from "effect"
import type { Checkpoint, CheckpointStore } from "../checkpoint/checkpoint-store.js"
import type { CheckpointError, SinkError } from "../errors/sink-error.js"
import { StoreBehindError, type StoreEpoch } from "../errors/store-behind-error.js"
import type { BoundSink, StreamContext } from "../sink/sink-plugin.js"
import { loadFrom, reconcile } from "./checkpoint-stores.js"
import type { OpenSink } from "./sink-set.js"
import { closeAll, openSinks } from "./sink-set.js"

/** The sinks, open at the epoch the run resumes from (`undefined`: from the start). */
export interface ResumePoint {
  readonly sinks: ReadonlyArray<OpenSink>
  readonly resumeFrom: Checkpoint | undefined
}

/** What one checkpoint store holds of the harvest, named for messages (a sink's store by the sink's name). */
export interface LoadedCheckpoint {
  readonly store: string
  readonly checkpoint: Checkpoint | undefined
}

/** Where a run resumes (`undefined`: it starts over), or the stores that hold less than its pass's floor. */
export type ResumeDecision =
  | { readonly type: "resume"; readonly from: Checkpoint | undefined }
  | { readonly type: "behind"; readonly behind: ReadonlyArray<StoreEpoch> }

/**
 * The resume rule over every checkpoint store: the lowest checkpoint (`reconcile`; a store holding
 * none means starting over), unless that is below `floor`, the epoch the run's pass began after
 * (what earlier passes committed; 0 for a harvest's first pass). Below it, resuming (or starting
 * over) would drop from every sink what the earlier passes committed, which the pass does not fetch
 * again: the stores below are named instead. With no store at all a run cannot resume: behind too.
 * A resume at the floor itself starts the pass: its state is null whatever the store kept there
 * (a sink's store keeps the earlier pass's last state at that epoch, not this pass's).
 */
export const resumeDecision = (loaded: ReadonlyArray<LoadedCheckpoint>, floor: number): ResumeDecision => {
  if (floor > 0) {
    const behind = loaded.filter(({ checkpoint }) => checkpoint === undefined || checkpoint.epoch < floor)
    if (loaded.length === 0) return { type: "behind", behind: [{ store: "no checkpoint store", epoch: undefined }] }
    if (behind.length > 0) return { type: "behind", behind: behind.map(({ store, checkpoint }) => ({ store, epoch: checkpoint?.epoch })) }
  }
  const from = reconcile(loaded.map(({ checkpoint }) => checkpoint))
  return { type: "resume", from: floor > 0 && from?.epoch === floor && from.state !== null ? { ...from, state: null } : from }
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
 * reopened at the reconciled one when it differs. A store below the pass's `floor` fails the run
 * here, before any sink wrote or discarded anything (sinks discard at their first write or flush)
 * and before the source's first request.
 */
export const openAtResumePoint = (options: {
  readonly sinks: ReadonlyArray<BoundSink>
  readonly harvestId: string
  readonly checkpoints: CheckpointStore | undefined
  readonly fresh: boolean
  readonly floor: number
  readonly contextAt: (checkpoint: Checkpoint | undefined) => StreamContext
}): Effect.Effect<ResumePoint, SinkError | CheckpointError | StoreBehindError, Scope.Scope> =>
  Effect.gen(function*() {
    const { harvestId, checkpoints, fresh } = options
    const runnerCheckpoint = checkpoints !== undefined && !fresh ? yield* loadFrom(checkpoints, harvestId) : undefined
    const sinks = yield* openClosingLater(options.sinks, options.contextAt(runnerCheckpoint))
    if (fresh) return { sinks, resumeFrom: undefined }
    const loaded: Array<LoadedCheckpoint> = checkpoints !== undefined ? [{ store: checkpoints.name, checkpoint: runnerCheckpoint }] : []
    for (const entry of sinks) {
      if (entry.writer.checkpoints !== undefined) loaded.push({ store: entry.sink.name, checkpoint: yield* loadFrom(entry.writer.checkpoints, harvestId) })
    }
    const decision = resumeDecision(loaded, options.floor)
    if (decision.type === "behind") return yield* StoreBehindError.of(harvestId, options.floor, decision.behind)
    const resumeFrom = decision.from
    if (resumeFrom?.epoch === runnerCheckpoint?.epoch) return { sinks, resumeFrom }
    // A sink's own store is behind the runner's, or the runner has no store: reopen every sink
    // at the reconciled epoch.
    yield* closeAll(sinks)
    return { sinks: yield* openClosingLater(options.sinks, options.contextAt(resumeFrom)), resumeFrom }
  })
