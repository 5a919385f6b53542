import type { BoundSink, SinkPlugin } from "@tikflow/core/internal"
import { createSinkRegistry, parseSinkUri, type SinkRegistry } from "@tikflow/sinks/registry"
import { usageError } from "../cli-error.js"
import { CLI_INSTALL_DIR } from "./installed-plugins.js"
import type { SinkSpec } from "../harvest/job-spec.js"

/**
 * Turns sink URIs into bound sinks: built-ins, plugins named with `--plugin` (or a pipeline file's
 * `plugins`), and — for an unknown scheme — the installed package `tikflow-sink-<scheme>`.
 * Every failure is one line naming the option or field: `--out: …`, `sinks[1].uri: …`.
 */
export class SinkResolver {
  private constructor(readonly registry: SinkRegistry, private readonly cwd: string) {}

  static async create(cwd: string, plugins: ReadonlyArray<{ readonly specifier: string; readonly field: string }>): Promise<SinkResolver> {
    const resolver = new SinkResolver(createSinkRegistry({ cwd, searchFrom: [CLI_INSTALL_DIR] }), cwd)
    for (const { specifier, field } of plugins) {
      try {
        await resolver.registry.load(specifier)
      } catch (error) {
        throw usageError(`${field}: ${messageOf(error)}`)
      }
    }
    return resolver
  }

  get plugins(): ReadonlyArray<SinkPlugin<unknown>> {
    return this.registry.plugins
  }

  async resolve(spec: SinkSpec): Promise<BoundSink> {
    const input = Object.keys(spec.options).length > 0 ? { uri: spec.uri, options: spec.options } : spec.uri
    let scheme: string
    try {
      scheme = parseSinkUri(input).scheme
    } catch (error) {
      throw usageError(`${spec.field}: ${messageOf(error).replace(/^uri: /, "")}`)
    }
    if (this.registry.lookup(scheme) === undefined) await this.tryInstalled(scheme)
    try {
      return this.registry.resolve(input)
    } catch (error) {
      throw usageError(`${spec.field}: ${messageOf(error).replace(/^sink /, "")}`)
    }
  }

  /** Loads `tikflow-sink-<scheme>` if it is installed; an absent package is left to the unknown-scheme error. */
  private async tryInstalled(scheme: string): Promise<void> {
    try {
      await this.registry.load(`tikflow-sink-${scheme}`)
    } catch (error) {
      if (!/package not found/.test(messageOf(error))) throw usageError(messageOf(error))
    }
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]
