import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { findInstalledPlugins } from "../../src/sinks/installed-plugins.js"

const installAt = (dir: string, name: string) => {
  mkdirSync(join(dir, "node_modules", name), { recursive: true })
  writeFileSync(join(dir, "node_modules", name, "package.json"), JSON.stringify({ name }))
}

describe("installed plugins", () => {
  it("are found from the working directory upwards and from the CLI's own install, nearest first, once each", () => {
    const project = mkdtempSync(join(tmpdir(), "tikflow-project-"))
    const global = mkdtempSync(join(tmpdir(), "tikflow-global-"))
    installAt(project, "tikflow-sink-csv")
    installAt(join(global, "lib"), "tikflow-sink-csv")
    installAt(join(global, "lib"), "@acme/tikflow-sink-s3")
    installAt(join(global, "lib"), "not-a-plugin")
    const cliDist = join(global, "lib", "node_modules", "@tikflow", "cli", "dist", "sinks")
    mkdirSync(cliDist, { recursive: true })
    const cwd = join(project, "sub")
    mkdirSync(cwd)
    expect(findInstalledPlugins(cwd, [])).toEqual(["tikflow-sink-csv"])
    expect(findInstalledPlugins(cwd, [cliDist])).toEqual(["tikflow-sink-csv", "@acme/tikflow-sink-s3"])
  })
})
