import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Transform, TransformContext } from "./transform.js"

/**
 * A transform as an Effect `Stream` combinator: `stream.pipe(asStream(dedupe({ kind: "video" })))`.
 * Each stream chunk is one batch; the stage's state lives as long as the stream.
 */
export const asStream = <A, B, E, R>(transform: Transform<A, B, E, R>, context: Partial<TransformContext> = {}) =>
<E0, R0>(self: Stream.Stream<A, E0, R0>): Stream.Stream<B, E | E0, R | R0> =>
  Stream.unwrap(
    Effect.map(transform.open({ epochs: false, ...context }), (step) =>
      self.pipe(
        Stream.chunks,
        Stream.mapEffect(step.process),
        Stream.concat(Stream.fromEffect(step.end)),
        Stream.flattenIterable
      ))
  )
