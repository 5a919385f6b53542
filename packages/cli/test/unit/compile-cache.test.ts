import { existsSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { compileCacheDir, enableCompileCache } from "../../src/compile-cache.js"
import { tempDir } from "../support/temp-dir.js"

const dir = tempDir("tikflow-compile-cache-")

/** A stand-in for Node's `module.enableCompileCache`: notes the directories it was given. */
const recorder = () => {
  const calls: Array<string> = []
  return { calls, enable: { enableCompileCache: (directory: string) => calls.push(directory) } }
}

describe("the compile cache's directory", () => {
  it("is per user: $XDG_CACHE_HOME/tikflow/compile-cache, else ~/.cache/tikflow/compile-cache; none without a home", () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: "/x/cache" }, "/home/u")).toBe(join("/x/cache", "tikflow", "compile-cache"))
    expect(compileCacheDir({}, "/home/u")).toBe(join("/home/u", ".cache", "tikflow", "compile-cache"))
    // A relative XDG_CACHE_HOME is ignored, as the XDG spec says; an empty one is unset.
    expect(compileCacheDir({ XDG_CACHE_HOME: "cache" }, "/home/u")).toBe(join("/home/u", ".cache", "tikflow", "compile-cache"))
    expect(compileCacheDir({ XDG_CACHE_HOME: "" }, "/home/u")).toBe(join("/home/u", ".cache", "tikflow", "compile-cache"))
    expect(compileCacheDir({}, "")).toBeUndefined()
  })
})

describe("enabling the compile cache", () => {
  it("makes the directory, private to the user, and hands it to Node", () => {
    const { calls, enable } = recorder()
    const home = join(dir, "made")
    enableCompileCache({ XDG_CACHE_HOME: home }, enable)
    const cache = join(home, "tikflow", "compile-cache")
    expect(calls).toEqual([cache])
    expect(statSync(cache).isDirectory()).toBe(true)
    if (process.platform !== "win32") expect(statSync(cache).mode & 0o777).toBe(0o700)
  })

  it("is a no-op where Node has no compile cache (Node 20): nothing is made", () => {
    const home = join(dir, "node20")
    enableCompileCache({ XDG_CACHE_HOME: home }, {})
    expect(existsSync(home)).toBe(false)
  })

  it("leaves the user's NODE_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE to Node", () => {
    const { calls, enable } = recorder()
    enableCompileCache({ XDG_CACHE_HOME: join(dir, "theirs"), NODE_COMPILE_CACHE: join(dir, "their-cache") }, enable)
    enableCompileCache({ XDG_CACHE_HOME: join(dir, "off"), NODE_DISABLE_COMPILE_CACHE: "1" }, enable)
    expect(calls).toEqual([])
    expect(existsSync(join(dir, "theirs"))).toBe(false)
    expect(existsSync(join(dir, "off"))).toBe(false)
  })

  it("skips a directory it cannot make, without throwing (a cache only saves time)", () => {
    const { calls, enable } = recorder()
    const file = join(dir, "a-file")
    writeFileSync(file, "not a directory")
    expect(() => enableCompileCache({ XDG_CACHE_HOME: file }, enable)).not.toThrow()
    expect(calls).toEqual([])
  })
})
