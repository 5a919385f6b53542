import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Observable } from "rxjs"
import { rxjs } from "../../interop/rxjs-runtime.js"
import type { JoinStateOverflowError } from "./join-errors.js"
import type { JoinEvent, StreamJoinOptions } from "./stream-join-state.js"
import { StreamJoinState } from "./stream-join-state.js"

const leftEnd = { side: "left-end" } as const
const rightEnd = { side: "right-end" } as const

/**
 * Keyed stream-stream join of two Effect streams, e.g. comments ⋈ videos on `video_id`: both
 * are consumed concurrently; matches are emitted as soon as both sides have arrived, with bounded
 * state (`maxBuffered`, failing with `JoinStateOverflowError` rather than losing records).
 */
export const joinStreams = <L, R, Out, EL, RL, ER, RR>(
  left: Stream.Stream<L, EL, RL>,
  right: Stream.Stream<R, ER, RR>,
  options: StreamJoinOptions<L, R, Out>
): Stream.Stream<Out, EL | ER | JoinStateOverflowError, RL | RR> =>
  Stream.suspend(() => {
    const state = new StreamJoinState(options)
    const events = Stream.merge(
      left.pipe(
        Stream.map((value): JoinEvent<L, R> => ({ side: "left", value })),
        Stream.concat(Stream.succeed<JoinEvent<L, R>>(leftEnd))
      ),
      right.pipe(
        Stream.map((value): JoinEvent<L, R> => ({ side: "right", value })),
        Stream.concat(Stream.succeed<JoinEvent<L, R>>(rightEnd))
      )
    )
    return events.pipe(
      Stream.chunks,
      Stream.mapEffect((chunk) =>
        Effect.suspend(() => {
          const out = state.feed(chunk)
          return Array.isArray(out) ? Effect.succeed(out) : Effect.fail(out)
        })
      ),
      Stream.flattenIterable
    )
  })

/** The RxJS form of {@link joinStreams}, on the same state machine. */
export const joinObservables = <L, R, Out>(
  left: Observable<L>,
  right: Observable<R>,
  options: StreamJoinOptions<L, R, Out>
): Observable<Out> =>
  new (rxjs().Observable)<Out>((subscriber) => {
    const { endWith, map, merge } = rxjs()
    const state = new StreamJoinState(options)
    return merge(
      left.pipe(map((value): JoinEvent<L, R> => ({ side: "left", value })), endWith<JoinEvent<L, R>>(leftEnd)),
      right.pipe(map((value): JoinEvent<L, R> => ({ side: "right", value })), endWith<JoinEvent<L, R>>(rightEnd))
    ).subscribe({
      next: (event) => {
        const out = state.feed([event])
        if (!Array.isArray(out)) {
          subscriber.error(out)
          return
        }
        for (const value of out) subscriber.next(value)
      },
      error: (error) => subscriber.error(error),
      complete: () => subscriber.complete()
    })
  })
