import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { binPath, runCli } from "./support/run-cli.js"
import { useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// The `tikflow` command is one bundle holding its own copy of @tikflow/core and Effect; a plugin
// imports the package's, whose error classes are other classes of the same names. The CLI still
// knows its errors by their tags: a plugin's ConfigError is bad input (exit 2, its option named),
// its SinkError passes through unwrapped (the sink and step said once, not twice).

const fixture = useSandbox({ faults: {} })
const coreDir = fileURLToPath(new URL("../../core", import.meta.url))
const args = ["videos", "--query", "region_code IN (US, CA)", "--from", "2024-01-01", "--to", "2024-01-10"]

/** `tikflow-sink-own` in `<dir>/node_modules`, with @tikflow/core of its own (the repo's package, unbundled). */
const installOwnCorePlugin = (dir: string): void => {
  const root = join(dir, "node_modules", "tikflow-sink-own")
  mkdirSync(join(root, "node_modules", "@tikflow"), { recursive: true })
  symlinkSync(coreDir, join(root, "node_modules", "@tikflow", "core"))
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "tikflow-sink-own", version: "1.0.0", type: "module", exports: "./index.js" }))
  writeFileSync(join(root, "index.js"), `
import { ConfigError, SinkError } from "@tikflow/core"
export default {
  contract: 1,
  name: "own",
  schemes: ["own"],
  description: "test sink on its own copy of @tikflow/core",
  options: { width: "a whole number" },
  config: {
    parse(target) {
      if (!/^\\d+$/.test(target.options.width ?? "")) throw ConfigError.make("width", "a whole number", target.options.width)
      return {}
    }
  },
  async open() {
    return {
      async write() { throw new SinkError({ sink: "own", operation: "write", message: "own:./x: write failed: disk full" }) },
      async flush() {},
      async close() {}
    }
  }
}
`)
}

describe("a plugin on its own copy of @tikflow/core, run by the bundled CLI", () => {
  it("is run by a bundle, not by the modules the plugin's core comes from", () => {
    expect(realpathSync(binPath)).toMatch(/packages\/cli\/dist\/bin\.js$/)
    expect(realpathSync(join(coreDir, "dist", "index.js"))).not.toBe(realpathSync(binPath))
  })

  it("its ConfigError is bad input naming its option: exit 2", async () => {
    const dir = tempDir()
    installOwnCorePlugin(dir)
    const result = await runCli([...args, "--out", "own:./x?width=wide", "--log-format", "json"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('own:./x: width: expected a whole number, got \\"wide\\"')
  })

  it("its SinkError is the run's failure as it said it, once: exit 1", async () => {
    const dir = tempDir()
    installOwnCorePlugin(dir)
    const result = await runCli([...args, "--out", "own:./x?width=3"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(1)
    const failed = result.stderr.split("\n").filter((line) => line.includes("disk full"))
    expect(failed, result.stderr).toEqual([expect.stringMatching(/^tikflow: sink own:\.\/x: write failed: disk full\b/)])
  })
})
