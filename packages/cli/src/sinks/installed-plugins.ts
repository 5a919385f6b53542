import { existsSync, readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const PLUGIN_DIR = /^tikflow-sink-[a-z0-9][a-z0-9._-]*$/

/**
 * The CLI's own install: plugins installed beside it (`npm install -g @tikflow/cli tikflow-sink-csv`,
 * or in the project whose `node_modules/.bin/tikflow` runs) are found from any working directory.
 */
export const CLI_INSTALL_DIR = fileURLToPath(new URL(".", import.meta.url))

/**
 * Names of the `tikflow-sink-*` and `@scope/tikflow-sink-*` packages installed in `node_modules`
 * from `cwd` upwards (as Node resolves packages), then from the CLI's install upwards, nearest
 * first, each name once.
 */
export const findInstalledPlugins = (cwd: string, also: ReadonlyArray<string> = [CLI_INSTALL_DIR]): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (const start of [cwd, ...also]) names.push(...installedFrom(start))
  return [...new Set(names)]
}

const installedFrom = (start: string): Array<string> => {
  const names: Array<string> = []
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const modules = join(dir, "node_modules")
    if (existsSync(modules)) {
      for (const entry of safeList(modules)) {
        if (PLUGIN_DIR.test(entry)) names.push(entry)
        else if (entry.startsWith("@")) {
          for (const scoped of safeList(join(modules, entry))) if (PLUGIN_DIR.test(scoped)) names.push(`${entry}/${scoped}`)
        }
      }
    }
    if (dirname(dir) === dir) break
  }
  return names
}

const safeList = (dir: string): ReadonlyArray<string> => {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}
