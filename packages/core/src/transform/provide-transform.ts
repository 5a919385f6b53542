import type { Context } from "effect"
import * as Effect from "effect/Effect"
import type { Transform, TransformStep } from "./transform.js"

/**
 * A transform with its requirements satisfied, e.g. a lookup join whose lookup runs a source on
 * the TikTok client: `provideTransform(join, Context.make(TikTokClient, client.service))`. What
 * `asOperator` needs, since an RxJS operator cannot ask for services.
 */
export const provideTransform = <A, B, E, R>(transform: Transform<A, B, E, R>, context: Context.Context<R>): Transform<A, B, E> => ({
  name: transform.name,
  addsFields: transform.addsFields,
  open: (transformContext) =>
    Effect.map(Effect.provideContext(transform.open(transformContext), context), (step): TransformStep<A, B, E> => ({
      process: (records) => Effect.provideContext(step.process(records), context),
      end: Effect.provideContext(step.end, context),
      held: step.held,
      commit: (epoch) => Effect.provideContext(step.commit(epoch), context),
      stats: step.stats
    }))
})
