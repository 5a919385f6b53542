import { mkdirSync } from "node:fs"
import module from "node:module"
import { homedir } from "node:os"
import { isAbsolute, join } from "node:path"

/**
 * Where the CLI keeps V8's compiled code between runs: `$XDG_CACHE_HOME/tikflow/compile-cache`, else
 * `~/.cache/tikflow/compile-cache` (a relative XDG_CACHE_HOME is ignored, as the spec says), or
 * undefined when there is no home to put it in. Per user, not Node's default `<tmpdir>/node-compile-cache`:
 * a directory every user of the machine may have created is one whose entries another user could have
 * written, and whose owner alone can write it.
 */
export const compileCacheDir = (env: Readonly<Record<string, string | undefined>>, home: string): string | undefined => {
  const xdg = env.XDG_CACHE_HOME
  const base = xdg !== undefined && xdg !== "" && isAbsolute(xdg) ? xdg : home !== "" ? join(home, ".cache") : undefined
  return base === undefined ? undefined : join(base, "tikflow", "compile-cache")
}

/** What this needs of `node:module`: `enableCompileCache` exists from Node 22.1. */
export interface NodeModule {
  readonly enableCompileCache?: (directory: string) => unknown
}

/**
 * Node ≥ 22.1 keeps each module's compiled code on disk (Node keys entries by its version, flags and
 * the source's hash, so an upgraded tikflow or Node never runs stale code): the next run skips
 * compiling the ~450 modules a harvest loads (~70 ms of CPU on Node 24). Node 20 has no such cache:
 * a no-op. `NODE_COMPILE_CACHE` (the user's own directory) and `NODE_DISABLE_COMPILE_CACHE` win, Node
 * having read them at start. A cache that cannot be written (read-only home, no home) is skipped
 * without a word: it only saves time. The directory is made here, private to the user (Node would
 * make it world-readable, and its own mkdir loops forever where a parent cannot hold directories,
 * e.g. under /proc); Node then adds one subdirectory per Node version and flag set.
 */
export const enableCompileCache = (
  env: Readonly<Record<string, string | undefined>> = process.env,
  node: NodeModule = module as NodeModule
): void => {
  if (node.enableCompileCache === undefined || env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return
  const directory = compileCacheDir(env, env.HOME || safeHomedir())
  if (directory === undefined) return
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 })
  } catch {
    return
  }
  node.enableCompileCache(directory)
}

const safeHomedir = (): string => {
  try {
    return homedir()
  } catch {
    return ""
  }
}
