import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { Observable } from "rxjs"
import { rxjs } from "./rxjs-runtime.js"
import { StreamInterruptedError } from "./stream-interrupted-error.js"

/**
 * An Effect `Stream` as a cold RxJS `Observable`: each subscription runs the stream in its own
 * fiber. The stream is pulled one chunk at a time and every element is handed to `next`
 * synchronously, so nothing is read ahead of what the subscriber has taken (RxJS has no demand
 * signal; a synchronous `next` is its backpressure).
 *
 * - completion → `complete()`
 * - a typed failure `E` → `error(e)` with the very same value (tagged errors keep their `_tag`)
 * - a defect → `error(defect)`; an interruption not caused by unsubscribing →
 *   `error(StreamInterruptedError)`
 * - `unsubscribe()` interrupts the fiber, running the stream's finalizers.
 */
export const toObservable = <A, E>(stream: Stream.Stream<A, E, never>): Observable<A> =>
  new (rxjs().Observable)<A>((subscriber) => {
    const fiber = Effect.runFork(
      Stream.runForEachArray(stream, (chunk) =>
        Effect.sync(() => {
          for (const value of chunk) {
            if (subscriber.closed) return
            subscriber.next(value)
          }
        }))
    )
    fiber.addObserver((exit) => {
      if (subscriber.closed) return
      if (Exit.isSuccess(exit)) {
        subscriber.complete()
        return
      }
      const failure = Cause.findErrorOption(exit.cause)
      if (failure._tag === "Some") subscriber.error(failure.value)
      else if (Cause.hasInterruptsOnly(exit.cause)) subscriber.error(new StreamInterruptedError({ message: "the stream was interrupted" }))
      else subscriber.error(Cause.squash(exit.cause))
    })
    return () => {
      if (fiber.pollUnsafe() === undefined) fiber.interruptUnsafe()
    }
  })
