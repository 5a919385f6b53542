import { globalOptions } from "./args/global-options.js"
import { resolveGlobalSettings } from "./args/global-settings.js"
import { parseCommandLine } from "./args/parse-command-line.js"
import { rejectSecretFlags } from "./args/secret-flags.js"
import { usageError } from "./cli-error.js"
import { commands } from "./commands/index.js"
import { ExitCode } from "./exit-codes.js"
import { describeFailure } from "./failure.js"
import { renderCommandHelp, renderMainHelp } from "./help/render-help.js"
import { Output } from "./output/output.js"
import { onInterrupt } from "./signals.js"
import { watchForStall } from "./stalled-run.js"
import { TIKFLOW_VERSION } from "./version.js"

export interface MainIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  readonly env: NodeJS.ProcessEnv
}


/** Runs one `tikflow` invocation and returns its exit code (see exit-codes.ts). */
export const main = async (argv: ReadonlyArray<string>, io: MainIo): Promise<ExitCode> => {
  let output = new Output(io.stdout, io.stderr)
  try {
    rejectSecretFlags(argv)
    const [name, ...rest] = argv
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      const topic = name === "help" ? commands.find((command) => command.name === rest[0]) : undefined
      output.result(topic ? renderCommandHelp(topic) : renderMainHelp(commands))
      return ExitCode.Done
    }
    if (name === "--version" || name === "-v") {
      output.result(TIKFLOW_VERSION)
      return ExitCode.Done
    }
    const command = commands.find((candidate) => candidate.name === name)
    if (!command) {
      const hint = name.startsWith("-") ? "a command comes first" : `known: ${commands.map((c) => c.name).join(", ")}`
      throw usageError(`unknown command ${JSON.stringify(name)} (${hint}; see tikflow --help)`)
    }
    const parsed = parseCommandLine(command.name, rest, { ...globalOptions, ...command.options }, command.maxPositionals ?? 0)
    if (parsed.values.help === true) {
      output.result(renderCommandHelp(command))
      return ExitCode.Done
    }
    const settings = resolveGlobalSettings(parsed.values, io.env)
    output = new Output(io.stdout, io.stderr, settings.logFormat, settings.quiet)
    const interrupt = onInterrupt()
    const stall = watchForStall(output)
    try {
      return await command.run({
        values: parsed.values,
        positionals: parsed.positionals,
        output,
        env: io.env,
        settings,
        signal: interrupt.signal
      })
    } finally {
      stall.dispose()
      interrupt.dispose()
    }
  } catch (error) {
    const failure = describeFailure(error)
    output.error(failure.message, { exitCode: failure.exitCode })
    return failure.exitCode
  }
}
