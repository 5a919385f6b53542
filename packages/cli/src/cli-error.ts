import { ExitCode } from "./exit-codes.js"

/**
 * A failure the CLI reports as one line and an exit code. Thrown by argument parsing and command
 * setup; the entry point prints `tikflow: <message>` and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = ExitCode.Usage) {
    super(message)
    this.name = "CliError"
  }
}

/** Bad input from the user: exit 2. */
export const usageError = (message: string): CliError => new CliError(message, ExitCode.Usage)
