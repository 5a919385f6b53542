import * as Data from "effect/Data"
import { hasTag } from "./has-tag.js"

/** A sink failed to accept, flush or close a batch. `sink` is the plugin name and target URI. */
export class SinkError extends Data.TaggedError("SinkError")<{
  readonly sink: string
  readonly operation: "open" | "write" | "flush" | "close" | "checkpoint"
  readonly message: string
  readonly cause?: unknown
}> {}

/** A `SinkError` by its tag, not its class (a plugin's own copy of @tikflow/core has its own class). */
export const isSinkError = hasTag<SinkError>("SinkError")

/** The checkpoint store could not load or save a harvest's progress. */
export class CheckpointError extends Data.TaggedError("CheckpointError")<{
  readonly harvestId: string
  readonly operation: "load" | "save" | "clear"
  readonly message: string
}> {}
