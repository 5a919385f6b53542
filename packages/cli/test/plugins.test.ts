import { describe, expect, it } from "vitest"
import { installFakePlugin } from "./support/fake-plugin.js"
import { runCli } from "./support/run-cli.js"
import { tempDir } from "./support/temp-dir.js"

describe("tikflow plugins", () => {
  it("lists the built-in sinks with their options", async () => {
    const result = await runCli(["plugins"], { cwd: tempDir() })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^parquet:\s+parquet\s+\[built-in\]/m)
    expect(result.stdout).toContain("?compression=")
  })

  it("lists installed tikflow-sink-* packages, as JSON too", async () => {
    const dir = tempDir()
    installFakePlugin(dir, "memo")
    const result = await runCli(["plugins", "--log-format", "json"], { cwd: dir })
    expect(result.code).toBe(0)
    const { plugins } = JSON.parse(result.stdout) as { plugins: Array<{ name: string; source: string; schemes: Array<string>; options: object }> }
    expect(plugins.find((plugin) => plugin.name === "memo")).toMatchObject({
      source: "tikflow-sink-memo",
      schemes: ["memo"],
      options: { label: expect.any(String) }
    })
  })

  it("reports a plugin of another contract version and exits 2", async () => {
    const dir = tempDir()
    installFakePlugin(dir, "future", { contract: 4 })
    const result = await runCli(["plugins"], { cwd: dir })
    expect(result.code).toBe(2)
    expect(result.stdout).toMatch(/contract: expected 1, 2 or 3 .* got 4 — upgrade tikflow/)
  })
})
