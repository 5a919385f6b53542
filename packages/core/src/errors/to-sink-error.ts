import * as Effect from "effect/Effect"
import { awaitSinkStep } from "../sink/unsettled-steps.js"
import { isSinkError, SinkError } from "./sink-error.js"

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/**
 * The one place a sink failure becomes a `SinkError` naming the sink and the step. A `SinkError`
 * passes through unchanged, so a failure crossing several layers (registry, runner, Effect adapter)
 * reads `csv:./out: write failed: disk full`, never the prefix twice.
 */
export const toSinkError = (sink: string, operation: SinkError["operation"], cause: unknown): SinkError =>
  isSinkError(cause) ? cause : new SinkError({ sink, operation, message: `${sink}: ${operation} failed: ${messageOf(cause)}`, cause })

/**
 * Runs one step of a sink (a plugin's Promise), failing with `toSinkError`; a step that can never
 * settle fails when the runner says so (`failUnsettledSinkSteps`).
 */
export const sinkStep = async <A>(sink: string, operation: SinkError["operation"], run: () => Promise<A>): Promise<A> => {
  try {
    return await awaitSinkStep(sink, operation, run())
  } catch (cause) {
    throw toSinkError(sink, operation, cause)
  }
}

/** `sinkStep` as an Effect failing with `SinkError`. */
export const sinkStepEffect = <A>(sink: string, operation: SinkError["operation"], run: () => Promise<A>): Effect.Effect<A, SinkError> =>
  Effect.tryPromise({ try: run, catch: (cause) => toSinkError(sink, operation, cause) })
