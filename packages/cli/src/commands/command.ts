import type { OptionSpecs, OptionValues } from "../args/option-spec.js"
import type { ExitCode } from "../exit-codes.js"
import type { Output } from "../output/output.js"
import type { GlobalSettings } from "../args/global-settings.js"

/** A `--help` example. The test suite runs every one against a sandbox, after writing `files`. */
export interface Example {
  readonly description: string
  /** The full command line, starting with `tikflow`. */
  readonly command: string
  /** Files the example expects in the working directory (e.g. a pipeline file), by name. */
  readonly files?: Readonly<Record<string, string>>
  /** Long-running examples (`tikflow sandbox`) are stopped with SIGINT once they print this. */
  readonly untilOutput?: string
}

export interface CommandInput {
  readonly values: OptionValues
  readonly positionals: ReadonlyArray<string>
  readonly output: Output
  readonly env: NodeJS.ProcessEnv
  readonly settings: GlobalSettings
  /** Aborted on SIGINT/SIGTERM; `signal.reason` is the signal name. */
  readonly signal: AbortSignal
}

export interface Command {
  readonly name: string
  readonly summary: string
  /** Usage line(s) after `tikflow <name>`. */
  readonly usage: string
  /** More text for `--help`, after the usage. */
  readonly details?: string
  readonly options: OptionSpecs
  readonly maxPositionals?: number
  readonly examples: ReadonlyArray<Example>
  run(input: CommandInput): Promise<ExitCode>
}
