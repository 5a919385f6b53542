import { globalOptions } from "../args/global-options.js"
import type { OptionSpecs } from "../args/option-spec.js"
import type { Command } from "../commands/command.js"
import { exitCodeMeanings } from "../exit-codes.js"

const optionLines = (options: OptionSpecs): ReadonlyArray<string> => {
  const rows = Object.entries(options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : "    "
    const value = spec.value ? ` <${spec.value}>` : ""
    return [`  ${short}--${name}${value}`, spec.description] as const
  })
  const width = Math.max(...rows.map(([left]) => left.length)) + 2
  return rows.map(([left, right]) => left.padEnd(width) + right)
}

export const renderCommandHelp = (command: Command): string => {
  const lines = [`tikflow ${command.name} — ${command.summary}`, "", "Usage:"]
  for (const usage of command.usage.split("\n")) lines.push(`  tikflow ${command.name} ${usage}`.trimEnd())
  if (command.details) lines.push("", ...command.details.split("\n"))
  if (Object.keys(command.options).length > 0) lines.push("", "Options:", ...optionLines(command.options))
  lines.push("", "Global options:", ...optionLines(globalOptions))
  if (command.examples.length > 0) {
    lines.push("", "Examples:")
    for (const example of command.examples) {
      lines.push(`  # ${example.description}`)
      for (const [name, content] of Object.entries(example.files ?? {})) {
        lines.push(`  # with ${name}:`, ...content.trimEnd().split("\n").map((line) => `  #   ${line}`))
      }
      lines.push(`  ${example.command}`, "")
    }
    lines.pop()
  }
  return lines.join("\n")
}

export const renderMainHelp = (commands: ReadonlyArray<Command>): string => {
  const width = Math.max(...commands.map((command) => command.name.length)) + 4
  return [
    "tikflow — harvest the TikTok Research API into Parquet, DuckDB, webhooks and NDJSON",
    "",
    "Usage: tikflow <command> [options]     (tikflow <command> --help for details and examples)",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    "Global options:",
    ...optionLines(globalOptions),
    "",
    "Environment:",
    "  TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET   client credentials (or --credentials <file>; never a flag)",
    "  TIKFLOW_BASE_URL                          API base URL (e.g. a `tikflow sandbox`)",
    "  TIKFLOW_RATE                              default for --rate",
    "  TIKFLOW_QUOTA_LEDGER                      default for --quota-ledger",
    "  XDG_STATE_HOME                            the quota ledgers live in $XDG_STATE_HOME/tikflow/quota (default ~/.local/state)",
    "  XDG_CACHE_HOME                            Node ≥ 22 keeps compiled code in $XDG_CACHE_HOME/tikflow/compile-cache (default ~/.cache)",
    "  TIKFLOW_CLOCK_OFFSET_MS                   shifts tikflow's clock (tests of the 00:00 UTC quota reset)",
    "",
    "Exit codes:",
    ...exitCodeMeanings.map(([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`),
    "",
    "Start here: tikflow demo"
  ].join("\n")
}
