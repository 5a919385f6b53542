import type { SinkPlugin } from "@tikflow/core/internal"
import { existsSync, readFileSync, statSync } from "node:fs"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { checkSinkPlugin } from "./check-plugin.js"

export interface LoadSinkPluginOptions {
  /** Where relative paths and package names resolve from: the user's directory. Default `process.cwd()`. */
  readonly cwd?: string
  /**
   * Where package names are looked up too, after `cwd`, e.g. the CLI's own install directory, so a
   * plugin installed next to a global `tikflow` is found from any directory.
   */
  readonly searchFrom?: ReadonlyArray<string>
}

const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?tikflow-sink-[a-z0-9][a-z0-9._-]*$/
const SHORT_NAME = /^[a-z0-9][a-z0-9._-]*$/

const isPath = (specifier: string): boolean =>
  specifier.startsWith(".") || specifier.startsWith("file:") || isAbsolute(specifier) || /[\\/]/.test(specifier) && !specifier.startsWith("@")

/** `csv` → `tikflow-sink-csv`; full names and scoped names as given. */
export const pluginPackageName = (specifier: string): string => {
  if (PACKAGE_NAME.test(specifier)) return specifier
  if (SHORT_NAME.test(specifier)) return `tikflow-sink-${specifier}`
  throw new Error(
    `sink plugin ${JSON.stringify(specifier)}: expected a package named tikflow-sink-<name> or @scope/tikflow-sink-<name>, or a path`
  )
}

// Package exports conditions, in the order an ESM `import` on Node would pick them.
const CONDITIONS = ["import", "node", "default"]

const entryOf = (exports: unknown): string | undefined => {
  if (typeof exports === "string") return exports
  if (typeof exports !== "object" || exports === null) return undefined
  const map = exports as Record<string, unknown>
  if ("." in map) return entryOf(map["."])
  for (const condition of CONDITIONS) if (condition in map) {
    const entry = entryOf(map[condition])
    if (entry !== undefined) return entry
  }
  return undefined
}

/** The package's root: `node_modules/<name>` found from `start` upwards, as Node resolves packages. */
const findPackageRoot = (name: string, start: string): string | undefined => {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const root = join(dir, "node_modules", name)
    if (existsSync(join(root, "package.json"))) return root
    if (dirname(dir) === dir) return undefined
  }
}

/** Finds the package from each of `starts` in turn and returns its ESM entry file. */
const resolvePackage = (name: string, starts: ReadonlyArray<string>): string => {
  for (const start of starts) {
    const root = findPackageRoot(name, start)
    if (root === undefined) continue
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports?: unknown; module?: unknown; main?: unknown }
    const entry = entryOf(pkg.exports) ?? (typeof pkg.module === "string" ? pkg.module : undefined) ??
      (typeof pkg.main === "string" ? pkg.main : "index.js")
    return join(root, entry)
  }
  throw new Error(`sink plugin ${name}: package not found from ${starts.join(" or ")} (install it, e.g. \`npm install ${name}\`)`)
}

/** A plugin module is JavaScript source; even a bundled one with its dependencies is a few MiB. */
const MAX_PLUGIN_BYTES = 64 * 1024 * 1024

/** `import()` reads a module whole: refuse what is not a regular file of sane size (`/dev/zero`, a FIFO). */
const checkModuleFile = (specifier: string, file: string): void => {
  const stats = statSync(file, { throwIfNoEntry: false })
  if (stats === undefined) return
  if (!stats.isFile()) throw new Error(`sink plugin ${specifier}: ${file} is not a regular file`)
  if (stats.size > MAX_PLUGIN_BYTES) {
    throw new Error(`sink plugin ${specifier}: ${file} is ${stats.size} bytes, over the ${MAX_PLUGIN_BYTES / 1024 / 1024} MiB a plugin module may have`)
  }
}

/**
 * Loads a third-party sink plugin by package name (`tikflow-sink-csv`, `@acme/tikflow-sink-s3`,
 * or the short `csv`) or by path, resolved from the user's directory (package names also from
 * `searchFrom`), and checks its contract.
 */
export const loadSinkPlugin = async (specifier: string, options: LoadSinkPluginOptions = {}): Promise<SinkPlugin<unknown>> => {
  const cwd = options.cwd ?? process.cwd()
  const file = specifier.startsWith("file:")
    ? fileURLToPath(specifier)
    : isPath(specifier) ? resolve(cwd, specifier) : resolvePackage(pluginPackageName(specifier), [cwd, ...(options.searchFrom ?? [])])
  if (isPath(specifier) && !existsSync(file)) throw new Error(`sink plugin ${specifier}: no file at ${file}`)
  checkModuleFile(specifier, file)
  let module: Record<string, unknown>
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (cause) {
    throw new Error(`sink plugin ${specifier}: import failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
  return checkSinkPlugin(module.default ?? module.sinkPlugin ?? module.plugin, specifier)
}
