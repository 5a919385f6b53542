import * as Effect from "effect/Effect"
import type { Checkpoint, CheckpointStore } from "../checkpoint/checkpoint-store.js"
import { CheckpointError } from "../errors/sink-error.js"

const message = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/**
 * `run` as an Effect failing with a `CheckpointError` of `harvestId`: `<what> failed: <cause>`. The
 * one wrapping of what the runner keeps beside its data to resume exactly (stores, changes journal).
 */
export const checkpointStep = <A>(harvestId: string, operation: CheckpointError["operation"], what: string, run: () => Promise<A>): Effect.Effect<A, CheckpointError> =>
  Effect.tryPromise({
    try: run,
    catch: (cause) => new CheckpointError({ harvestId, operation, message: `${what} failed: ${message(cause)}` })
  })

export const loadFrom = (store: CheckpointStore, harvestId: string): Effect.Effect<Checkpoint | undefined, CheckpointError> =>
  checkpointStep(harvestId, "load", `${store.name}: loading the checkpoint`, () => store.load(harvestId))

export const saveTo = (store: CheckpointStore, checkpoint: Checkpoint): Effect.Effect<void, CheckpointError> =>
  checkpointStep(checkpoint.harvestId, "save", `${store.name}: saving the checkpoint`, () => store.save(checkpoint))

/**
 * Which checkpoint a run resumes from when several stores hold one (the runner's store and the
 * transactional stores some sinks offer). Every store is written only after all sinks flushed,
 * so each is at or behind the truth; a sink's own store can be one epoch ahead of the runner's
 * (a crash between its flush and the runner's save). Resuming from the *lowest* epoch is always
 * safe: sinks opened with that `resume.epoch` drop what they hold of later epochs, and those
 * records come again. A store with no checkpoint at all is the lowest: the run starts over.
 *
 * Sink stores can only be read once the sinks are open, so sinks are first opened at the runner
 * store's epoch and reopened at the reconciled one when it differs. A sink must therefore discard
 * data only in its `discardUncommitted` hook (contract 2, which the registry calls before the first
 * write or flush; every built-in sink but PostgreSQL), or lazily itself (contract 1), never in `open`.
 */
export const reconcile = (loaded: ReadonlyArray<Checkpoint | undefined>): Checkpoint | undefined => {
  if (loaded.length === 0) return undefined
  let lowest: Checkpoint | undefined
  for (const checkpoint of loaded) {
    if (checkpoint === undefined) return undefined
    if (lowest === undefined || checkpoint.epoch < lowest.epoch) lowest = checkpoint
  }
  return lowest
}
