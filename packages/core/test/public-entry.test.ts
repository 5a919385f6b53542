import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

// Every sink plugin imports `@tikflow/core`; a CLI run with a plugin never makes an Observable. Run on
// the built package (`pnpm test` builds first) in a child whose modules are noted, CommonJS ones too.

const entry = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href
const tracer = pathToFileURL(fileURLToPath(new URL("../../cli/test/support/module-trace.mjs", import.meta.url))).href
const dir = mkdtempSync(join(tmpdir(), "tikflow-core-entry-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The modules a child loads running `script` (an ES module with `core` imported). */
const modulesOf = (name: string, script: string): ReadonlyArray<string> => {
  const trace = join(dir, `${name}.modules`)
  execFileSync(process.execPath, [`--import=${tracer}`, "--input-type=module", "-e", `const core = await import(${JSON.stringify(entry)})\n${script}`], {
    env: { ...process.env, TIKFLOW_TEST_MODULE_TRACE: trace },
    encoding: "utf8"
  })
  return readFileSync(trace, "utf8").split("\n").filter((line) => line !== "")
}
const rxjsOf = (modules: ReadonlyArray<string>) => modules.filter((url) => /\/node_modules\/rxjs\//.test(url))

describe("@tikflow/core's public entry", () => {
  it("imported, loads no RxJS", () => {
    const modules = modulesOf("import", "")
    expect(modules.some((url) => url.endsWith("/core/dist/public/rx.js"))).toBe(true)
    expect(rxjsOf(modules)).toEqual([])
  })

  it("loads RxJS when an Rx operator is made", () => {
    // The operator applied to a (never subscribed) source: an Observable made by RxJS's `defer`.
    const modules = modulesOf("rx", "core.Rx.writeTo({ write: async () => {}, flush: async () => {} }, { harvestId: 'h' })({})")
    expect(rxjsOf(modules).length).toBeGreaterThan(0)
  })
})
