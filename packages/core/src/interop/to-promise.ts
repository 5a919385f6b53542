import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * Runs an Effect as a Promise that rejects with the typed error itself (a `QuotaExhaustedError`,
 * …), not with Effect's wrapper, so `catch (e) { e._tag }` works for Promise callers.
 */
export const toPromise = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromiseExit(effect).then((exit) => {
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  })
