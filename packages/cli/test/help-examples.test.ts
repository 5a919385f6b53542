import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { commands } from "@tikflow/cli"
import { describe, expect, it } from "vitest"
import { query } from "./support/read-outputs.js"
import { collect, expectFinished, runCli, runCliInProcess, spawnCli, waitForOutput } from "./support/run-cli.js"
import { useSandbox } from "./support/sandbox.js"
import { splitCommand } from "./support/split-command.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox()

describe("--help", () => {
  it("the main help lists every command and the exit codes", async () => {
    const result = await runCli(["--help"])
    expect(result.code).toBe(0)
    for (const command of commands) expect(result.stdout).toContain(`  ${command.name} `)
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 +done[\s\S]* {2}4 +daily quota exhausted[\s\S]* {2}143 /)
  })

  // The built binary once (above); each command's help is what `main` prints, so in this process.
  it.each(commands.map((command) => [command.name, command] as const))("tikflow %s --help shows its usage and examples", async (name, command) => {
    const result = await runCliInProcess([name, "--help"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Usage:\n  tikflow ${name} `)
    expect(command.examples.length).toBeGreaterThan(0)
    for (const example of command.examples) expect(result.stdout).toContain(example.command)
  })
})

/**
 * Every example of every command's --help, run as written (after writing the files it names), in
 * the order the commands are listed, in one directory — so `comments --video-ids-from
 * duckdb:./research.duckdb#videos` reads what the `videos` example wrote.
 */
describe("every --help example runs against a sandbox", () => {
  const dir = tempDir()
  const examples = commands.flatMap((command) => command.examples.map((example) => [example.command, example] as const))

  it.each(examples)("%s", async (line, example) => {
    for (const [name, content] of Object.entries(example.files ?? {})) writeFileSync(join(dir, name), content)
    const [program, ...args] = splitCommand(line)
    expect(program).toBe("tikflow")
    if (example.untilOutput !== undefined) {
      const child = spawnCli(args, { cwd: dir, env: fixture.env() })
      const done = collect(child)
      await waitForOutput(child, new RegExp(example.untilOutput.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      child.kill("SIGINT")
      const result = await done
      expect(result.code, result.stderr).toBe(0)
      return
    }
    // Each example as `main` runs it, in this process: what it does, not how a process starts.
    const result = await runCliInProcess(args, { cwd: dir, env: fixture.env() })
    expectFinished(result)
  }, 120_000)

  it("the demo example produced a DuckDB file with the videos, comments and users tables", async () => {
    const rows = await query(join(dir, "tikflow-demo", "research.duckdb"), [
      "SELECT (SELECT count(*) FROM videos)::INTEGER AS videos,",
      "(SELECT count(*) FROM comments)::INTEGER AS comments,",
      "(SELECT count(*) FROM users)::INTEGER AS users"
    ].join(" "))
    expect(rows[0].videos).toBeGreaterThan(20)
    expect(rows[0].comments).toBeGreaterThan(rows[0].videos as number)
    expect(rows[0].users).toBeGreaterThan(5)
  })
})
