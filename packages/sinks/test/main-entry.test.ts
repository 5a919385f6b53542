import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

// The main entry exports the Arrow-producing functions (`toRecordBatch`, `arrowSchemaFor`) beside
// sinks that never touch Arrow: apache-arrow loads when one of them is called, not with the entry.
// Run on the built package (`pnpm test` builds first) in a child whose module resolutions are noted.

const here = dirname(fileURLToPath(import.meta.url))
const tracer = pathToFileURL(join(here, "..", "..", "cli", "test", "support", "module-trace.mjs")).href
const dir = mkdtempSync(join(tmpdir(), "tikflow-main-entry-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the child; returns what it printed and the packages of the modules it resolved. */
const traced = (name: string, ...args: Array<string>) => {
  const trace = join(dir, `${name}.modules`)
  const stdout = execFileSync(process.execPath, [`--import=${tracer}`, join(here, "support", "main-entry-user.mjs"), ...args], {
    env: { ...process.env, TIKFLOW_TEST_MODULE_TRACE: trace },
    encoding: "utf8"
  })
  const modules = readFileSync(trace, "utf8").split("\n").filter((line) => line !== "")
  return { stdout, modules, arrow: modules.filter((url) => /\/node_modules\/apache-arrow\//.test(url)) }
}

describe("@tikflow/sinks' main entry", () => {
  it("imported, loads no apache-arrow", () => {
    const { modules, arrow } = traced("import")
    expect(modules.some((url) => url.endsWith("/sinks/dist/index.js"))).toBe(true)
    expect(arrow).toEqual([])
  })

  it("toRecordBatch and arrowSchemaFor load it, synchronously, as the same module an import gives", () => {
    const { stdout, modules } = traced("arrow", "arrow")
    const byTheCalls = modules.slice(0, modules.indexOf("-- the child's own import"))
    expect(byTheCalls.filter((url) => /\/node_modules\/apache-arrow\//.test(url)).length).toBeGreaterThan(0)
    expect(JSON.parse(stdout)).toEqual({ batch: true, schema: true })
  })
})
