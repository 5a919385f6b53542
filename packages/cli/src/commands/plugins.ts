import type { SinkPlugin } from "@tikflow/core/internal"
import { ExitCode } from "../exit-codes.js"
import { CLI_INSTALL_DIR, findInstalledPlugins } from "../sinks/installed-plugins.js"
import type { Command } from "./command.js"

interface Listed {
  readonly name: string
  readonly source: string
  readonly schemes: ReadonlyArray<string>
  readonly description: string | undefined
  readonly options: Readonly<Record<string, string>>
  readonly error?: string
}

const listed = (plugin: SinkPlugin<unknown>, source: string): Listed => ({
  name: plugin.name,
  source,
  schemes: plugin.schemes,
  description: plugin.description,
  options: plugin.options ?? {}
})

export const pluginsCommand: Command = {
  name: "plugins",
  summary: "list the sink plugins: built-in and installed (tikflow-sink-*), with their options",
  usage: "[--plugin NAME|PATH …]",
  details: [
    "Sinks are chosen by URI scheme: --out parquet:./out, --out duckdb:./db.duckdb, --out csv:./x.",
    "A scheme tikflow does not know loads the installed package tikflow-sink-<scheme>; --plugin",
    "loads a plugin by package name or path. Options go in the URI's query string:",
    "  --out 'parquet:./out?compression=snappy'"
  ].join("\n"),
  options: {},
  examples: [
    { description: "list every sink and its options", command: "tikflow plugins" },
    { description: "as JSON", command: "tikflow plugins --log-format json" }
  ],
  async run({ output, values, settings }) {
    const { builtinSinks, createSinkRegistry } = await import("@tikflow/sinks/registry")
    const cwd = process.cwd()
    const entries: Array<Listed> = builtinSinks.map((plugin) => listed(plugin, "built-in"))
    const registry = createSinkRegistry({ cwd, searchFrom: [CLI_INSTALL_DIR] })
    const specifiers = [...findInstalledPlugins(cwd), ...((values.plugin as ReadonlyArray<string> | undefined) ?? [])]
    let failed = false
    for (const specifier of specifiers) {
      try {
        entries.push(listed(await registry.load(specifier), specifier))
      } catch (error) {
        failed = true
        output.error((error as Error).message)
        entries.push({ name: specifier, source: specifier, schemes: [], description: undefined, options: {}, error: (error as Error).message })
      }
    }
    if (settings.logFormat === "json") {
      output.result(JSON.stringify({ plugins: entries }))
    } else {
      const lines: Array<string> = []
      for (const entry of entries) {
        lines.push(`${entry.schemes.map((scheme) => `${scheme}:`).join(" ") || "(not loaded)"}  ${entry.name}  [${entry.source}]`)
        if (entry.error) lines.push(`    error: ${entry.error}`)
        if (entry.description) lines.push(`    ${entry.description}`)
        for (const [option, meaning] of Object.entries(entry.options)) lines.push(`    ?${option}=…  ${meaning}`)
      }
      output.result(lines.join("\n"))
    }
    return failed ? ExitCode.Usage : ExitCode.Done
  }
}
