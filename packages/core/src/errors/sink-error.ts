import * as Data from "effect/Data"

/** A sink failed to accept, flush or close a batch. `sink` is the plugin name and target URI. */
export class SinkError extends Data.TaggedError("SinkError")<{
  readonly sink: string
  readonly operation: "open" | "write" | "flush" | "close" | "checkpoint"
  readonly message: string
  readonly cause?: unknown
}> {}

/** A `SinkError` by its tag, not its class (a plugin's own copy of @tikflow/core has its own class). */
export const isSinkError = (value: unknown): value is SinkError => (value as { _tag?: unknown } | null)?._tag === "SinkError"

/** The checkpoint store could not load or save a harvest's progress. */
export class CheckpointError extends Data.TaggedError("CheckpointError")<{
  readonly harvestId: string
  readonly operation: "load" | "save" | "clear"
  readonly message: string
}> {}
