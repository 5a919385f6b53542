import * as Data from "effect/Data"

/**
 * The dedupe stage saw more distinct keys than its store may hold. Memory stays bounded, so the
 * stage fails rather than forgetting keys (which would let duplicates through silently). Raise
 * `maxKeys` or use the persistent store.
 */
export class DedupeCapacityError extends Data.TaggedError("DedupeCapacityError")<{
  readonly maxKeys: number
  readonly message: string
}> {}

/** The persistent dedupe store could not read or write its files. */
export class DedupeStoreError extends Data.TaggedError("DedupeStoreError")<{
  readonly path: string
  readonly operation: "open" | "commit" | "close"
  readonly message: string
}> {}
