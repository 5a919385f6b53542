import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { query } from "../../packages/cli/test/support/read-outputs.js"
import { codeBlocks, readReadme, repoRoot, section } from "../../packages/cli/test/support/readme.js"
import { collect } from "../../packages/cli/test/support/run-cli.js"
import { expectedVideoIds, useSandbox } from "../../packages/cli/test/support/sandbox.js"
import { transpileTo, typeErrors } from "../../packages/cli/test/support/typescript-module.js"

/**
 * tikflow as a user outside this repository gets it: every package packed (`pnpm pack` builds
 * first and rewrites `workspace:` ranges), the tarballs installed with plain npm into a fresh
 * project under the OS temp directory, then the CLI, the README's Library snippet and a sink
 * plugin loaded by name, run there. Public dependencies come from the npm registry.
 */

const PACKAGES = ["packages/core", "packages/sandbox", "packages/sources", "packages/sinks", "packages/cli", "examples/sink-plugin-csv"]

const work = mkdtempSync(join(tmpdir(), "tikflow-pack-"))
const tarballs = join(work, "tarballs")
const project = join(work, "project")
const fixture = useSandbox({ faults: {} })

const run = (command: string, args: ReadonlyArray<string>, cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_loglevel: "error" } })

const manifestOf = (tarball: string): Record<string, unknown> =>
  JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], work)) as Record<string, unknown>

const filesOf = (tarball: string): Array<string> => run("tar", ["-tzf", tarball], work).split("\n").filter((line) => line !== "")

/**
 * Runs a child in the project (or `cwd`) with the sandbox's credentials. Its machine state (the
 * per-client quota ledger) is this test's own: the sandbox's key is fixed, so the user's real ledger
 * would count every run of this test on the machine against one day's quota.
 */
const runIn = async (cwd: string, command: string, args: ReadonlyArray<string>) =>
  collect(spawn(command, args, { cwd, env: { ...process.env, ...fixture.env(), XDG_STATE_HOME: join(work, "state-home"), XDG_CACHE_HOME: join(work, "cache-home") }, stdio: ["ignore", "pipe", "pipe"] }))

beforeAll(() => {
  mkdirSync(tarballs)
  for (const dir of PACKAGES) run("npx", ["-y", "pnpm@10", "pack", "--pack-destination", tarballs], join(repoRoot, dir))
  mkdirSync(project)
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "tikflow-user", private: true, type: "module" }))
  const all = readdirSync(tarballs).map((file) => join(tarballs, file))
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...all], project)
}, 600_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe("packed tarballs", () => {
  it("carry built code and types, a license, metadata, and no workspace: ranges", () => {
    const files = readdirSync(tarballs)
    expect(files).toHaveLength(PACKAGES.length)
    for (const file of files) {
      const tarball = join(tarballs, file)
      const manifest = manifestOf(tarball)
      const contents = filesOf(tarball)
      expect(JSON.stringify(manifest), file).not.toContain("workspace:")
      expect(manifest, file).toMatchObject({ license: "MIT", engines: { node: ">=20.19" }, repository: { type: "git" } })
      expect((manifest.keywords as Array<string>).length, file).toBeGreaterThan(0)
      expect(contents, file).toEqual(expect.arrayContaining(["package/LICENSE", "package/dist/index.js", "package/dist/index.d.ts"]))
      expect(contents.some((path) => path.endsWith(".tsbuildinfo")), file).toBe(false)
    }
    expect(manifestOf(join(tarballs, "tikflow-sink-csv-0.1.0.tgz"))).toMatchObject({ peerDependencies: { "@tikflow/core": "^0.1.0" } })
    expect(manifestOf(join(tarballs, "tikflow-cli-0.1.0.tgz"))).toMatchObject({ bin: { tikflow: "./dist/bin.js" } })
    // The Parquet encoder thread's module, which the sink starts by its URL next to its own.
    expect(filesOf(join(tarballs, "tikflow-sinks-0.1.0.tgz"))).toContain("package/dist/parquet/parquet-worker-thread.js")
  })
})

describe("installed with npm into a fresh project", () => {
  it("npx tikflow --help", async () => {
    const result = await runIn(project, "npx", ["tikflow", "--help"])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^Usage: tikflow <command>/m)
  })

  it("the README's Library snippet type-checks against the installed types and runs against a sandbox", async () => {
    const [block] = codeBlocks(section(readReadme(), "Library"), "ts")
    const source = join(project, "library.mts")
    writeFileSync(source, block)
    expect(typeErrors(source)).toEqual([])
    const result = await runIn(project, process.execPath, [transpileTo(source, block)])
    expect(result.code, result.stderr).toBe(0)
    const printed = Number(/^(\d+) videos/.exec(result.stdout)?.[1])
    expect(printed).toBeGreaterThan(0)
    const database = /resolveSink\("duckdb:([^"]+)"\)/.exec(block)![1]
    expect(await query(join(project, database), "SELECT count(*)::INTEGER AS n FROM videos")).toEqual([{ n: printed }])
  }, 120_000)

  it("a sink plugin installed by name is found from the project and from the CLI's install, and writes each record once", async () => {
    const args = ["videos", "--query", "region_code IN (US, CA)", "--from", "2024-01-01", "--to", "2024-01-20"]
    const expected = expectedVideoIds(fixture.sandbox, "region_code IN (US, CA)", "2024-01-01", "2024-01-20")
    const elsewhere = mkdtempSync(join(work, "elsewhere-"))
    for (const cwd of [project, elsewhere]) {
      const result = await runIn(cwd, join(project, "node_modules", ".bin", "tikflow"), [...args, "--out", "csv:./csv-out"])
      expect(result.code, result.stderr).toBe(0)
      const file = join(cwd, "csv-out", "videos.csv")
      expect(existsSync(file), `${file} after: ${result.stdout}`).toBe(true)
      const rows = await query(":memory:", `SELECT id FROM read_csv('${file}', header = true, all_varchar = true)`)
      expect(rows.map((row) => row.id).sort()).toEqual([...expected].sort())
    }
    expect(readFileSync(join(project, "csv-out", "videos.csv"), "utf8").startsWith("id,")).toBe(true)
  }, 120_000)

  it("a harvest into Parquet runs its encoder thread from the installed package", async () => {
    const args = ["videos", "--query", "region_code IN (US, CA)", "--from", "2024-01-01", "--to", "2024-01-20"]
    const expected = expectedVideoIds(fixture.sandbox, "region_code IN (US, CA)", "2024-01-01", "2024-01-20")
    const cwd = mkdtempSync(join(work, "parquet-"))
    const result = await runIn(cwd, join(project, "node_modules", ".bin", "tikflow"), [...args, "--out", "parquet:./parquet-out"])
    expect(result.code, result.stderr).toBe(0)
    const rows = await query(":memory:", `SELECT id FROM read_parquet('${join(cwd, "parquet-out", "videos", "*.parquet")}')`)
    expect(rows.map((row) => row.id).sort()).toEqual([...expected].sort())
  }, 120_000)
})
