import type { Observable, OperatorFunction } from "rxjs"
import { fromObservable } from "../interop/from-observable.js"
import { toObservable } from "../interop/to-observable.js"
import { asStream } from "./as-stream.js"
import type { Transform, TransformContext } from "./transform.js"

/**
 * A transform as an RxJS operator: `videos$.pipe(asOperator(dedupe({ kind: "video" })))`. It runs
 * the very same stage as {@link asStream}: values that arrive while a batch is being processed
 * form the next batch. Like `concatMap`, the operator buffers what arrives meanwhile without
 * bound (RxJS has no backpressure). Errors arrive as the stage's typed error values.
 */
export const asOperator = <A, B, E>(
  transform: Transform<A, B, E, never>,
  context: Partial<TransformContext> = {}
): OperatorFunction<A, B> =>
(source: Observable<A>) =>
  toObservable(
    fromObservable<A, unknown>(source, { overflow: "unbounded" }).pipe(asStream(transform, context))
  )
