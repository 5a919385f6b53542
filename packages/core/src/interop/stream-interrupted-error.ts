import * as Data from "effect/Data"

/** An Effect stream bridged to RxJS ended by interruption that the subscriber did not ask for. */
export class StreamInterruptedError extends Data.TaggedError("StreamInterruptedError")<{
  readonly message: string
}> {}
