import type { Duration } from "effect"
import * as Stream from "effect/Stream"
import type { Observable, OperatorFunction, SchedulerLike, Subscription } from "rxjs"
import { rxjs } from "../../interop/rxjs-runtime.js"

/**
 * Groups records into arrays of at most `size`, emitting a group when it is full or when `within`
 * has passed since its first record arrived — whichever comes first. An idle stream emits
 * nothing (no empty groups). Effect form: the consumer pulls groups, so a slow sink slows the
 * source (backpressure).
 */
export const batch = (size: number, within: Duration.Input) =>
<A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<Array<A>, E, R> => Stream.groupedWithin(self, size, within)

/**
 * The RxJS form of {@link batch} with the same rule: a group's timer starts at its first value,
 * it is emitted when full or when `withinMs` elapses, and the remainder on completion. RxJS has
 * no backpressure: a slow subscriber does not slow the source. `scheduler` is for virtual time.
 */
export const batchOperator = <A>(
  size: number,
  withinMs: number,
  scheduler: SchedulerLike = rxjs().asyncScheduler
): OperatorFunction<A, Array<A>> =>
(source) =>
  new (rxjs().Observable)<Array<A>>((subscriber) => {
    const limit = Number.isFinite(size) && size >= 1 ? Math.floor(size) : 1
    let group: Array<A> = []
    let timer: Subscription | undefined
    const emit = () => {
      timer?.unsubscribe()
      timer = undefined
      if (group.length === 0) return
      const out = group
      group = []
      subscriber.next(out)
    }
    const subscription = source.subscribe({
      next: (value) => {
        group.push(value)
        if (group.length === 1) timer = scheduler.schedule(emit, withinMs)
        if (group.length >= limit) emit()
      },
      error: (error) => {
        timer?.unsubscribe()
        subscriber.error(error)
      },
      complete: () => {
        emit()
        subscriber.complete()
      }
    })
    return () => {
      timer?.unsubscribe()
      subscription.unsubscribe()
    }
  })
