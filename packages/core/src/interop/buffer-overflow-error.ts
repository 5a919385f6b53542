import * as Data from "effect/Data"

/**
 * An Observable pushed more values than the bounded buffer between it and a slower Effect
 * consumer holds (policy `fail`). Raise `bufferSize` or choose another overflow policy.
 */
export class BufferOverflowError extends Data.TaggedError("BufferOverflowError")<{
  readonly bufferSize: number
  readonly message: string
}> {}
