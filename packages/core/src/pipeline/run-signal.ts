import * as Effect from "effect/Effect"
import type { Scope } from "effect"

/**
 * One controller for the sinks' context and for stopping the read loop, aborted when the
 * caller's signal is; the link is removed when the run's scope closes.
 */
export const linkedAbort = (external: AbortSignal | undefined): Effect.Effect<AbortController, never, Scope.Scope> =>
  Effect.gen(function*() {
    const abort = new AbortController()
    const forward = () => abort.abort()
    if (external !== undefined) {
      if (external.aborted) abort.abort()
      else external.addEventListener("abort", forward, { once: true })
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => external?.removeEventListener("abort", forward)))
    return abort
  })
