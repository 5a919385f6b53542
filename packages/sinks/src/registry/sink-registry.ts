import type { BoundSink, SinkPlugin, SinkWriter, StreamContext } from "@tikflow/core/internal"
import { ConfigError } from "@tikflow/core/internal"
import { bindSink } from "./bind-sink.js"
import { checkSinkPlugin } from "./check-plugin.js"
import type { LoadSinkPluginOptions } from "./load-plugin.js"
import { loadSinkPlugin } from "./load-plugin.js"
import type { SinkSpec } from "./sink-uri.js"
import { parseSinkUri } from "./sink-uri.js"

export interface SinkRegistry {
  /** Adds a plugin; a scheme already taken by another plugin is an error. */
  register(plugin: SinkPlugin<any>): void
  /** Loads a third-party plugin (package name or path) and registers it. */
  load(specifier: string): Promise<SinkPlugin<unknown>>
  lookup(scheme: string): SinkPlugin<unknown> | undefined
  readonly plugins: ReadonlyArray<SinkPlugin<unknown>>
  /** Parses the URI, finds the plugin by scheme and validates its config. */
  resolve(spec: SinkSpec): BoundSink
  /** `resolve(spec).open(context)`. */
  open(spec: SinkSpec, context: StreamContext): Promise<SinkWriter>
}

export interface SinkRegistryOptions extends LoadSinkPluginOptions {
  /** Registered first; pass `[]` for a registry without built-ins. */
  readonly builtins?: ReadonlyArray<SinkPlugin<any>>
  readonly plugins?: ReadonlyArray<SinkPlugin<any>>
}

export const makeSinkRegistry = (options: SinkRegistryOptions = {}): SinkRegistry => {
  const byScheme = new Map<string, SinkPlugin<unknown>>()
  const all: Array<SinkPlugin<unknown>> = []
  const register = (candidate: SinkPlugin<any>) => {
    const plugin = checkSinkPlugin(candidate, (candidate as { name?: string })?.name ?? "(unnamed)")
    for (const scheme of plugin.schemes) {
      const taken = byScheme.get(scheme)
      if (taken !== undefined && taken !== plugin) {
        throw new Error(`sink plugin ${plugin.name}: scheme "${scheme}" is already registered by ${taken.name}`)
      }
    }
    for (const scheme of plugin.schemes) byScheme.set(scheme, plugin)
    if (!all.includes(plugin)) all.push(plugin)
  }
  for (const plugin of options.builtins ?? []) register(plugin)
  for (const plugin of options.plugins ?? []) register(plugin)

  const resolve = (spec: SinkSpec): BoundSink => {
    let target
    try {
      target = parseSinkUri(spec)
    } catch (cause) {
      const message = (cause as Error).message
      throw new ConfigError({ field: "uri", expected: message.replace(/^uri: expected /, ""), message: `sink ${message}` })
    }
    const plugin = byScheme.get(target.scheme)
    if (plugin === undefined) {
      const known = [...byScheme.keys()].sort().join(", ")
      throw new ConfigError({
        field: "uri",
        expected: `a known sink scheme (${known})`,
        message: `sink ${JSON.stringify(target.uri.split("?")[0])}: unknown scheme "${target.scheme}", expected one of ${known}` +
          ` (third-party sinks: load the plugin, e.g. tikflow-sink-${target.scheme})`
      })
    }
    return bindSink(plugin, target)
  }

  return {
    register,
    load: async (specifier) => {
      const plugin = await loadSinkPlugin(specifier, options)
      register(plugin)
      return plugin
    },
    lookup: (scheme) => byScheme.get(scheme.toLowerCase()),
    get plugins() {
      return [...all]
    },
    resolve,
    open: (spec, context) => resolve(spec).open(context)
  }
}
