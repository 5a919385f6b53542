import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { Observable } from "rxjs"
import { BufferOverflowError } from "./buffer-overflow-error.js"

/**
 * What to do when the Observable pushes faster than the stream is pulled and the buffer is full.
 * RxJS cannot be slowed down, so a bounded buffer must either fail or lose values; `fail` (the
 * default) never loses silently.
 * - `fail`: fail the stream with `BufferOverflowError` and unsubscribe.
 * - `drop-newest`: discard the value that did not fit.
 * - `drop-oldest`: discard the oldest buffered value to make room.
 * - `unbounded`: no bound at all (RxJS's own `concatMap` semantics); memory is the limit.
 */
export type OverflowPolicy = "fail" | "drop-newest" | "drop-oldest" | "unbounded"

export interface FromObservableOptions<E> {
  /** Values buffered between the Observable and the stream's consumer. Default 4096. */
  readonly bufferSize?: number | undefined
  readonly overflow?: OverflowPolicy | undefined
  /**
   * Turns what the Observable errors with into the stream's typed error. RxJS errors are
   * untyped; without this the stream fails with the error value as is (typed `unknown`).
   */
  readonly mapError?: ((error: unknown) => E) | undefined
}

/**
 * An RxJS `Observable` as an Effect `Stream`. Subscribes when the stream is run; values go
 * through a bounded queue (see {@link OverflowPolicy}); `complete` ends the stream, `error`
 * fails it (through `mapError`). Interrupting the stream — or the consumer stopping early, e.g.
 * `Stream.take` — unsubscribes.
 */
export const fromObservable = <A, E = unknown>(
  observable: Observable<A>,
  options: FromObservableOptions<E> = {}
): Stream.Stream<A, E | BufferOverflowError> => {
  const overflow = options.overflow ?? "fail"
  const bufferSize = Math.max(1, options.bufferSize ?? 4096)
  const mapError = options.mapError ?? ((error: unknown) => error as E)
  return Stream.callback<A, E | BufferOverflowError>(
    (queue) =>
      Effect.acquireRelease(
        Effect.sync(() =>
          observable.subscribe({
            next: (value) => {
              if (Queue.offerUnsafe(queue, value)) return
              if (overflow === "fail") {
                Queue.failCauseUnsafe(
                  queue,
                  Cause.fail(new BufferOverflowError({
                    bufferSize,
                    message: `an Observable outran its consumer: more than ${bufferSize} values buffered`
                  }))
                )
              }
              // drop-newest: the value is discarded by not being offered.
            },
            error: (error) => {
              Queue.failCauseUnsafe(queue, Cause.fail(mapError(error)))
            },
            complete: () => {
              Queue.endUnsafe(queue)
            }
          })
        ),
        (subscription) => Effect.sync(() => subscription.unsubscribe())
      ),
    overflow === "unbounded"
      ? {}
      : { bufferSize, strategy: overflow === "drop-oldest" ? "sliding" : overflow === "drop-newest" ? "dropping" : "suspend" }
  )
}
