import { existsSync, readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

const PLUGIN_DIR = /^tikflow-sink-[a-z0-9][a-z0-9._-]*$/

/**
 * Names of the `tikflow-sink-*` and `@scope/tikflow-sink-*` packages installed in `node_modules`
 * from `cwd` upwards (as Node resolves packages), nearest first, each name once.
 */
export const findInstalledPlugins = (cwd: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
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
  return [...new Set(names)]
}

const safeList = (dir: string): ReadonlyArray<string> => {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}
