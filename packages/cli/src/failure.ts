import { CliError } from "./cli-error.js"
import { ExitCode } from "./exit-codes.js"

export interface Failure {
  readonly exitCode: ExitCode
  readonly message: string
}

/**
 * Maps whatever stopped a command to its exit code and one line: tikflow's tagged errors by tag
 * (auth → 3, quota → 4, bad config → 2), anything else → 1.
 */
export const describeFailure = (error: unknown): Failure => {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message }
  const tagged = error as { _tag?: string; message?: string; reason?: string; field?: string; endpoint?: string; sink?: string; operation?: string; status?: number; resetAt?: string }
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
      return { exitCode: ExitCode.Failure, message: `sink ${tagged.sink} failed to ${tagged.operation}: ${tagged.message}` }
    case "ServerError":
    case "NetworkError":
    case "RateLimitedError":
    case "DecodeError":
    case "SearchIdExpiredError":
      return { exitCode: ExitCode.Failure, message: `${tagged._tag} (${tagged.endpoint}) after retries: ${tagged.message}` }
    case undefined:
      break
    default:
      return { exitCode: ExitCode.Failure, message: `${tagged._tag}: ${tagged.message}` }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { exitCode: ExitCode.Failure, message: message.split("\n")[0] }
}
