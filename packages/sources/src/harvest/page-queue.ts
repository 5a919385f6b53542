import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { Cause } from "effect"

/** What a worker of a {@link pageQueue} feeds pages through. */
export interface PageFeed<A> {
  /** Waits until the reader's demand allows one more request: call it before each request. */
  readonly ready: Effect.Effect<void>
  /** Hands a page to the reader, in the order offered. */
  readonly offer: (page: A) => Effect.Effect<void>
}

/**
 * Pages made by `workers` plain loops (`work`, one fiber each), read through one queue in the order
 * they are offered. Demand-driven: a worker waits on `ready` before each request, and each read
 * allows one more, on top of the `ahead` allowed from the start. So at most `ahead` requests are
 * made before their pages are asked for (0 with one worker: a sequential pull, nothing requested
 * before it is wanted) and the queue holds no more than that. The first failure ends the stream
 * with it, after the pages already offered; a reader that stops interrupts the workers.
 */
export const pageQueue = <A, E, R>(
  options: { readonly workers: number; readonly ahead: number },
  work: (feed: PageFeed<A>) => Effect.Effect<void, E, R>
): Stream.Stream<A, E, R> =>
  Stream.fromChannel(Channel.fromTransform((_, scope) =>
    Effect.gen(function*() {
      const pages = yield* Queue.unbounded<A, E | Cause.Done>()
      const demand = yield* Queue.unbounded<void>()
      for (let i = 0; i < options.ahead; i++) Queue.offerUnsafe(demand, undefined)
      const feed: PageFeed<A> = { ready: Queue.take(demand), offer: (page) => Effect.asVoid(Queue.offer(pages, page)) }
      const workers = Array.from({ length: options.workers }, () => work(feed))
      yield* Effect.all(workers, { concurrency: "unbounded", discard: true }).pipe(
        Effect.matchCauseEffect({ onFailure: (cause) => Queue.failCause(pages, cause), onSuccess: () => Queue.end(pages) }),
        Effect.forkIn(scope, { startImmediately: true })
      )
      return Effect.suspend(() => {
        Queue.offerUnsafe(demand, undefined)
        return Effect.map(Queue.take(pages), (page) => [page] as const)
      })
    })
  ))
