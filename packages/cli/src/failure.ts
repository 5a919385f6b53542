import { isStoreBehindError, oneLine, type StoreBehindError } from "@tikflow/core/internal"
import { CliError } from "./cli-error.js"
import { ExitCode } from "./exit-codes.js"

export interface Failure {
  readonly exitCode: ExitCode
  readonly message: string
  /** False when running the same command again would fail the same way (no "re-run to resume"). */
  readonly rerunHelps?: boolean
}

/**
 * Maps whatever stopped a command to its exit code and one line: tikflow's tagged errors by tag
 * (auth → 3, quota → 4, bad config → 2), anything else → 1.
 */
export const describeFailure = (error: unknown): Failure => {
  const failure = describe(error)
  // One line, whatever a message from the API, a plugin or the system holds.
  return { ...failure, message: oneLine(failure.message) }
}

/** How a run a failure ended is told: in its history (the run's status) and by its exit code alike. */
export type FailedRunStatus = "stopped" | "interrupted" | "failed"

/**
 * The one rule for both: a spent quota stops the run (exit 4, resumable). After SIGINT/SIGTERM
 * (`signal` aborted), a failure a re-run gets past is part of the interruption (exit 130/143,
 * "run the same command again to resume"): the stop cut short a step in flight (a webhook POST,
 * a flush) or met a failure the resumed run retries from its checkpoint. A failure a re-run cannot
 * get past (a value the API sends that cannot be stored) or of another kind (auth, usage) stays a
 * failure with its own exit code, signal or not: "resume" would lead into the same wall.
 */
export const failedRunStatus = (failure: Failure, signal: AbortSignal): FailedRunStatus =>
  failure.exitCode === ExitCode.QuotaExhausted
    ? "stopped"
    : signal.aborted && failure.exitCode === ExitCode.Failure && failure.rerunHelps !== false
    ? "interrupted"
    : "failed"

const describe = (error: unknown): Failure => {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message }
  const tagged = error as { _tag?: string; message?: string; reason?: string; field?: string; endpoint?: string; sink?: string; operation?: string; status?: number; resetAt?: string; deterministic?: boolean }
  if (tagged?._tag === "DecodeError" && tagged.deterministic === true) return unstorableValue(tagged.endpoint, tagged.message)
  if (isStoreBehindError(error)) return storeBehind(error)
  switch (tagged?._tag) {
    case "ConfigError":
      return { exitCode: ExitCode.Usage, message: tagged.message ?? "invalid configuration" }
    case "AuthError":
      return { exitCode: ExitCode.Auth, message: `auth error (${tagged.reason}): ${tagged.message}` }
    case "QuotaExhaustedError":
      return {
        exitCode: ExitCode.QuotaExhausted,
        message: `daily quota exhausted: ${tagged.message}; the checkpoint is saved, run the same command again after ${tagged.resetAt}`
      }
    case "InvalidRequestError":
      return { exitCode: ExitCode.Failure, message: `the API refused the request (${tagged.endpoint}): ${tagged.message}` }
    case "SinkError":
      // Its message already reads `<sink>: <step> failed: <cause>`.
      return { exitCode: ExitCode.Failure, message: `sink ${tagged.message}` }
    case "ServerError":
    case "NetworkError":
    case "RateLimitedError":
    case "DecodeError":
    case "SearchIdExpiredError":
      return { exitCode: ExitCode.Failure, message: `${tagged._tag} (${tagged.endpoint}) after retries: ${tagged.message}` }
    case "UnusableResponseError":
    case "CursorLoopError":
      // A redirect, an oversized body or a looping cursor comes back the same on a re-run; a long
      // Retry-After passes with time (its message says when).
      return {
        exitCode: ExitCode.Failure,
        message: `${tagged._tag} (${tagged.endpoint}): ${tagged.message}`,
        rerunHelps: tagged.reason === "retry_after"
      }
    case undefined:
      break
    default:
      return { exitCode: ExitCode.Failure, message: `${tagged._tag}: ${tagged.message}` }
  }
  return { exitCode: ExitCode.Failure, message: error instanceof Error ? error.message : String(error) }
}

/**
 * The API sent a value the record's schema cannot hold (a count of 1e20, 1.5, a string for a
 * number). Nothing was stored from that page and it was not retried: the same request returns the
 * same value, so "re-run to resume" would stop at the same place. Say what would get past it.
 */
const unstorableValue = (endpoint: string | undefined, message: string | undefined): Failure => ({
  exitCode: ExitCode.Failure,
  rerunHelps: false,
  message:
    `the API sent a value tikflow cannot store (${endpoint}): ${message}; not retried: the same request returns it again, ` +
    "so re-running stops here too. What was committed stays; to get past it, harvest without that field " +
    "(videos: a pipeline file's source `fields`)"
})

/**
 * An output holds less than the harvest committed before this pass (its file deleted, an older copy
 * restored): the run did not start, nothing was requested or changed. Re-running meets the same
 * store; say what gets past it.
 */
const storeBehind = (error: StoreBehindError): Failure => {
  const stores = error.behind.map((entry) => entry.store).join(", ")
  return {
    exitCode: ExitCode.Failure,
    rerunHelps: false,
    message:
      `${error.message}; nothing was requested or changed. To go on: restore ${stores} from a copy holding epoch ${error.floor} or later, ` +
      "or run with --fresh to harvest everything the command asks for again into every output (about the requests its runs spent so far; tikflow runs lists them)"
  }
}
