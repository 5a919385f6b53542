import { ExitCode } from "./exit-codes.js"

export interface Interrupt {
  /** Aborted with reason `"SIGINT"` or `"SIGTERM"`. */
  readonly signal: AbortSignal
  dispose(): void
}

/**
 * The first SIGINT/SIGTERM asks the running command to stop gracefully (flush sinks, save the
 * checkpoint); a second one exits at once, for a user who really means it.
 */
export const onInterrupt = (): Interrupt => {
  const controller = new AbortController()
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.exit(signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted)
    }
    controller.abort(signal)
  }
  process.on("SIGINT", handler)
  process.on("SIGTERM", handler)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", handler)
      process.off("SIGTERM", handler)
    }
  }
}

export const exitCodeForSignal = (reason: unknown): ExitCode =>
  reason === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted
