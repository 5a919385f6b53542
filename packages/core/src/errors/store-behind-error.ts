import * as Data from "effect/Data"
import { hasTag } from "./has-tag.js"

/** A checkpoint store and the epoch it holds of the harvest (`undefined`: none). */
export interface StoreEpoch {
  readonly store: string
  readonly epoch: number | undefined
}

/**
 * A run would resume below the epoch its pass began after (`floor`, `PipelineRunOptions.resumeFloor`):
 * `behind` holds less (an output lost, or restored from an older copy). Resuming there would drop from
 * every output what earlier passes committed, which this pass does not fetch again, so the run does not
 * start: nothing is requested and no output is touched.
 */
export class StoreBehindError extends Data.TaggedError("StoreBehindError")<{
  readonly harvestId: string
  readonly floor: number
  readonly behind: ReadonlyArray<StoreEpoch>
  readonly message: string
}> {
  static of(harvestId: string, floor: number, behind: ReadonlyArray<StoreEpoch>): StoreBehindError {
    const held = behind.map(({ store, epoch }) => `${store} holds ${epoch === undefined ? "no checkpoint" : `epoch ${epoch}`} of it`).join(", ")
    return new StoreBehindError({
      harvestId,
      floor,
      behind,
      message: `harvest ${harvestId}: ${held}, but the harvest committed through epoch ${floor} before this pass: ` +
        `resuming below it would drop what earlier passes committed from every output, and this pass does not fetch that again`
    })
  }
}

/** A `StoreBehindError` by its tag (the bundled CLI holds its own copy of @tikflow/core). */
export const isStoreBehindError = hasTag<StoreBehindError>("StoreBehindError")
