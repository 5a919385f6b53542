import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import module from "node:module"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { fanOutExitCode, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox({ faults: {} })
const dir = tempDir()
const tracer = pathToFileURL(join(import.meta.dirname, "support", "module-trace.mjs")).href

/** Runs the CLI with every module it resolves noted; returns the run and the packages it loaded. */
const traced = async (name: string, args: ReadonlyArray<string>) => {
  const trace = join(dir, `${name}.modules`)
  rmSync(trace, { force: true })
  const result = await runCli(args, {
    cwd: dir,
    env: fixture.env({ NODE_OPTIONS: `--import=${tracer}`, TIKFLOW_TEST_MODULE_TRACE: trace })
  })
  const loaded = readFileSync(trace, "utf8").split("\n").filter((line) => line !== "")
  // The command is a bundle: it must have run, and the trace reads as the modules its files hold.
  expect(loaded.filter((url) => bundled.test(url)).length).toBeGreaterThan(1)
  return { result, files: loaded, modules: loaded.flatMap(unbundled) }
}

// Each of the bundle's files (dist/bin.js, dist/bundle/*.js) as the repository's modules it holds
// (`dist/bundle/modules.json`, written by the build): `…/packages/cli/src/main.ts`, `…/effect/dist/Effect.js`.
const bundled = /\/packages\/cli\/dist\/(bin\.js|bundle\/[^/]+\.js)$/
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const bundleModules = JSON.parse(readFileSync(join(repoRoot, "packages/cli/dist/bundle/modules.json"), "utf8")) as Record<string, Array<string>>
const unbundled = (url: string): Array<string> => {
  const file = bundled.exec(url)?.[1]
  return file === undefined ? [url] : [url, ...bundleModules[file]!.map((path) => pathToFileURL(join(repoRoot, path)).href)]
}

// RxJS is loaded on first use (core's `rxjs()`): a CLI run makes no Observable.
// The sandbox's fault names (a few lines, for `tikflow sandbox --help`) are allowed; its world is not.
const heavy = /\/(apache-arrow|parquet-wasm|@duckdb\+|@duckdb\/|yaml|rxjs)[@/]|\/packages\/sandbox\/dist\/(?!faults\/fault-kind\.js)/

describe("a quick start: each sink's dependencies load only when it is used", () => {
  it("a run into NDJSON loads neither DuckDB, Arrow, parquet-wasm, the YAML parser, RxJS nor the sandbox", async () => {
    const { result, modules } = await traced("ndjson", ["user-info", "--username", "user_00001,user_00002", "--out", "ndjson:./users.ndjson"])
    expect(result.code, result.stderr).toBe(fanOutExitCode(["user_00001", "user_00002"], fixture.sandbox.groundTruth.userInfo))
    expect(readNdjson(join(dir, "users.ndjson"))).toHaveLength(2)
    expect(modules.length).toBeGreaterThan(50)
    expect(modules.filter((url) => heavy.test(url))).toEqual([])
    // The HTML report's renderer loads only for `tikflow report`.
    expect(modules.filter((url) => /\/cli\/(src|dist)\/report\/(?!report-command\.[jt]s)/.test(url))).toEqual([])
    // The webhook and PostgreSQL sinks' writers load when such a sink opens; the registry has their definitions
    // and config parsers (the webhook's checks its secret by signing).
    expect(modules.filter((url) => /\/sinks\/dist\/(webhook|postgres)\/(?!((webhook|postgres)-(sink|config)|signature)\.js)/.test(url))).toEqual([])
    // A dry run's and the team mode's modules load with --dry-run or a coordinator only.
    expect(modules.filter((url) => /\/cli\/(src|dist)\/harvest\/(dry-run|quota-left|coordinator-(quota|queue)|work-queue-(job|plan|worker)|combined-summary)\.[jt]s$/.test(url))).toEqual([])
    // Effect by module, never the barrel (which loads all of Effect's ~250 modules).
    expect(modules.filter((url) => /\/effect\/dist\/index\.js$/.test(url))).toEqual([])
    // undici by the two modules of its Pool and request (the trace sees CommonJS too), never its index
    // (which loads all ~110 of undici's modules).
    expect(modules.some((url) => /\/undici\/lib\/dispatcher\/pool\.js$/.test(url))).toBe(true)
    expect(modules.filter((url) => /\/undici\/index\.js$/.test(url))).toEqual([])
  })

  it("the same run into DuckDB and Parquet loads them (the trace sees what a sink needs), and not apache-arrow", async () => {
    const { result, files, modules } = await traced("duckdb", [
      "user-info", "--username", "user_00001", "--out", "duckdb:./users.duckdb", "--out", "parquet:./users-parquet"
    ])
    expect(result.code, result.stderr).toBe(fanOutExitCode(["user_00001"], fixture.sandbox.groundTruth.userInfo))
    expect(modules.some((url) => /@duckdb/.test(url))).toBe(true)
    // @duckdb/node-api comes from the bundle (one chunk, not its ~180 CommonJS files); of DuckDB's
    // packages only the native binding's loader is read from node_modules.
    expect(modules.some((url) => /\/@duckdb\/node-api\/lib\/DuckDBInstance\.js$/.test(url))).toBe(true)
    expect(files.filter((url) => /\/@duckdb\/node-api\//.test(url))).toEqual([])
    expect(files.some((url) => /\/@duckdb\/node-bindings\/duckdb\.js$/.test(url))).toBe(true)
    expect(modules.some((url) => /parquet-wasm/.test(url))).toBe(true)
    // The Parquet sink writes parquet-wasm's Arrow IPC input itself: apache-arrow stays unloaded.
    expect(modules.filter((url) => /apache-arrow/.test(url))).toEqual([])
    // Nor does Node's bundled fetch load (its globals, which parquet-wasm's async init asks about).
    expect(modules.some((url) => url.startsWith("node-builtin:"))).toBe(true)
    expect(modules.filter((url) => /^node-builtin:internal\/deps\/undici\//.test(url))).toEqual([])
  })

  it("a run into Arrow IPC (file and stream format) loads no apache-arrow either: the sink writes the IPC bytes itself", async () => {
    const { result, modules } = await traced("arrow", [
      "user-info", "--username", "user_00001", "--out", "arrow:./users-arrow", "--out", "arrow:./users-arrows?format=stream"
    ])
    expect(result.code, result.stderr).toBe(fanOutExitCode(["user_00001"], fixture.sandbox.groundTruth.userInfo))
    expect(modules.some((url) => /\/sinks\/dist\/schema\/ipc-file\.js$/.test(url))).toBe(true)
    expect(modules.filter((url) => /\/node_modules\/apache-arrow\//.test(url))).toEqual([])
  })
})

// Node's compile cache came in 22.1; Node 20 (still supported) has none.
const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function"

describe("the compile cache: compiled code kept per user between runs where Node has one", () => {
  /** The same run, each in its own directory (so each is a first run): `<dir>/<name>/users.ndjson`. */
  const run = (name: string, cacheHome: string) => {
    const cwd = join(dir, name)
    mkdirSync(cwd)
    return runCli(["user-info", "--username", "user_00001", "--out", "ndjson:./users.ndjson"], {
      cwd,
      env: fixture.env({ XDG_CACHE_HOME: cacheHome })
    })
  }

  it(`${hasCompileCache ? "fills" : "makes no"} $XDG_CACHE_HOME/tikflow/compile-cache on Node ${process.versions.node}`, async () => {
    const cacheHome = join(dir, "cache-home")
    const result = await run("cached", cacheHome)
    expect(result.code, result.stderr).toBe(fanOutExitCode(["user_00001"], fixture.sandbox.groundTruth.userInfo))
    const cache = join(cacheHome, "tikflow", "compile-cache")
    if (hasCompileCache) {
      // Node adds one directory per version and flags, written when the process exits.
      const [versionDir, ...others] = readdirSync(cache)
      expect(others).toEqual([])
      expect(versionDir).toMatch(new RegExp(`^v${process.versions.node}-`))
      // An entry per file compiled: the bundle's that the run loads and undici's CommonJS modules (55 on Node 24).
      expect(readdirSync(join(cache, versionDir!)).length).toBeGreaterThan(20)
      if (process.platform !== "win32") expect(statSync(cache).mode & 0o777).toBe(0o700)
    } else {
      expect(existsSync(join(cacheHome, "tikflow"))).toBe(false)
    }
  })

  it("a run whose cache cannot be made runs the same, without a word about it", async () => {
    const notADirectory = join(dir, "cache-home-file")
    writeFileSync(notADirectory, "a file where the cache home should be")
    const writable = await run("writable", join(dir, "cache-home-2"))
    const unwritable = await run("unwritable", notADirectory)
    expect(unwritable.code, unwritable.stderr).toBe(writable.code)
    // The same output, but for how long each run took (the summary's seconds).
    const untimed = (text: string) => text.replace(/retries survived, [\d.]+\s*m?s\b/g, "retries survived, …")
    expect(untimed(unwritable.stderr)).toBe(untimed(writable.stderr))
    expect(untimed(unwritable.stdout)).toBe(untimed(writable.stdout))
    // The same records (but for when each run harvested them).
    const usernames = (file: string) => readNdjson(join(dir, file, "users.ndjson")).map((user) => user.username)
    expect(usernames("unwritable")).toEqual(usernames("writable"))
  })
})
