import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { installFakePlugin } from "./support/fake-plugin.js"
import { runsJson } from "./support/history-sandbox.js"
import { runCli } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// A sink plugin whose step awaits a promise nothing will settle (no I/O, timer or socket behind
// it) leaves Node's event loop empty mid-run. The process must not just end (Node's exit 13, an
// unsettled top-level await, nothing said, the run left "running"): the run fails naming the sink
// and the step, its history says failed, and the same command resumes from its checkpoint.

const fixture = useSandbox({ faults: {} })
const QUERY = "region_code IN (US, CA)"
const args = ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-02-20", "--window-days", "5", "--commit-every", "2", "--out", "stall:./stall.jsonl?label=x"]

const delivered = (dir: string): Array<string> => {
  const text = (() => {
    try {
      return readFileSync(join(dir, "stall.jsonl"), "utf8")
    } catch {
      return ""
    }
  })()
  return text.split("\n").filter((line) => line !== "").map((line) => String((JSON.parse(line) as { record: { id: string } }).record.id))
}

const runStatuses = async (dir: string): Promise<Array<string>> => {
  const [listed] = await runsJson(dir) as Array<{ id: string }>
  const shown = await runsJson(dir, "show", listed.id) as { runs: ReadonlyArray<{ status: string }> }
  return shown.runs.map((run) => run.status)
}

describe("a sink step that never settles", () => {
  // open and close at their only call; write and flush at their second (after a commit).
  it.each([["open", 1], ["write", 2], ["flush", 2], ["close", 1]] as const)("in %s: exit 1 naming the sink and the step, run failed; the re-run resumes and delivers each record once", async (hook, stallAt) => {
    const dir = tempDir()
    installFakePlugin(dir, "stall", { stall: hook, stallAt })
    const stalled = await runCli(args, { cwd: dir, env: fixture.env() })
    expect(stalled.code, stalled.stderr).toBe(1)
    const errors = stalled.stderr.split("\n").filter((line) => /never settled/.test(line))
    expect(errors, stalled.stderr).toEqual([
      expect.stringMatching(new RegExp(`^tikflow: sink stall:\\./stall\\.jsonl: ${hook} failed: never settled: .*; the checkpoint is kept, run the same command again to resume$`))
    ])
    expect(await runStatuses(dir)).toEqual(["failed"])

    installFakePlugin(dir, "stall")
    const resumed = await runCli(args, { cwd: dir, env: fixture.env() })
    expect(resumed.code, resumed.stderr).toBe(0)
    // What was committed before the stall stays committed: only the open found nothing to resume.
    if (hook !== "open") expect(resumed.stderr).toMatch(/resuming harvest \S+ from epoch [1-9]/)
    const ids = delivered(dir)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.sort()).toEqual([...expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-02-20")].sort())
  })
})
