import * as Data from "effect/Data"

/** A lookup join with miss policy `fail` found nothing for a record's key. */
export class LookupMissError extends Data.TaggedError("LookupMissError")<{
  readonly stage: string
  /** The key looked up; null when the record had no key at all. */
  readonly key: string | null
  readonly message: string
}> {}

/**
 * A stream-stream join would have to buffer more records than its bound to stay exact. It fails
 * instead of dropping unmatched records silently; raise `maxBuffered` or join via a lookup.
 */
export class JoinStateOverflowError extends Data.TaggedError("JoinStateOverflowError")<{
  readonly side: "left" | "right"
  readonly maxBuffered: number
  readonly message: string
}> {}
