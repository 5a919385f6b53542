import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox()
const QUERY = "region_code IN (US, GB, CA, DE, FR, JP)"
const FROM = "2024-01-01"
const TO = "2024-02-20"
const harvest = (out: string, state = "./state") => [
  "videos", "--query", QUERY, "--from", FROM, "--to", TO, "--window-days", "3",
  "--out", out, "--state", state, "--commit-every", "10", "--log-format", "json"
]

/**
 * A run that has committed its first epoch (so it holds its locks), then stopped with SIGSTOP: alive
 * and holding them for as long as the test needs, however slowly a loaded machine runs the next one.
 */
const startHeldRun = async (cwd: string, argv: ReadonlyArray<string>) => {
  const child = spawnCli(argv, { cwd, env: fixture.env({ TIKFLOW_RATE: "2" }) })
  const done = collect(child)
  await waitForOutput(child, /"type":"checkpoint"/)
  child.kill("SIGSTOP")
  return { child, done }
}

const oneLineError = (stderr: string): string => {
  const lines = stderr.trim().split("\n")
  expect(lines).toHaveLength(1)
  return lines[0]
}

describe("one run at a time per state and per output", () => {
  it("a second run with the same --state (other outputs) fails at once, exit 2, naming the running process", async () => {
    const dir = tempDir()
    const first = await startHeldRun(dir, harvest("ndjson:./a.ndjson"))
    const second = await runCli(harvest("ndjson:./b.ndjson"), { cwd: dir, env: fixture.env() })
    expect(second.code).toBe(2)
    const line = oneLineError(second.stderr)
    expect(line).toContain("--state")
    expect(line).toContain(join(dir, "state"))
    expect(line).toMatch(new RegExp(`in use by another tikflow run \\(pid ${first.child.pid} on host \\S+, since `))
    expect(existsSync(join(dir, "b.ndjson"))).toBe(false)

    first.child.kill("SIGINT")
    first.child.kill("SIGCONT")
    expect((await first.done).code).toBe(130)
    // Every exit path releases: after the interrupted run, no lock is left and the other output runs.
    expect(existsSync(join(dir, "state", "run.lock"))).toBe(false)
    expect(existsSync(join(dir, "a.ndjson.lock"))).toBe(false)
    const after = await runCli(harvest("ndjson:./b.ndjson"), { cwd: dir, env: fixture.env() })
    expect(after.code).toBe(0)
  })

  it("two runs writing one output from different state directories: the second fails, exit 2, naming the output", async () => {
    const dir = tempDir()
    const first = await startHeldRun(dir, harvest("ndjson:./shared.ndjson", "./state-1"))
    const second = await runCli(harvest("ndjson:shared.ndjson", "./state-2"), { cwd: dir, env: fixture.env() })
    expect(second.code).toBe(2)
    const line = oneLineError(second.stderr)
    expect(line).toContain(`output ndjson:${join(dir, "shared.ndjson")} is in use by another tikflow run (pid ${first.child.pid}`)
    // All or nothing: the second run left no lock on its own state either.
    expect(existsSync(join(dir, "state-2", "run.lock"))).toBe(false)
    first.child.kill("SIGKILL")
    await first.done
  })

  it("a lock left by a run killed with SIGKILL does not block the next run, which resumes and completes", async () => {
    const dir = tempDir()
    const argv = harvest("ndjson:./videos.ndjson")
    const first = await startHeldRun(dir, argv)
    first.child.kill("SIGKILL")
    await first.done
    expect(existsSync(join(dir, "state", "run.lock"))).toBe(true)
    const resumed = await runCli(argv, { cwd: dir, env: fixture.env() })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toMatch(/resuming harvest/)
    const ids = readNdjson(join(dir, "videos.ndjson")).map((video) => String(video.id)).sort()
    expect(ids).toEqual([...expectedVideoIds(fixture.sandbox, QUERY, FROM, TO)].sort())
    expect(existsSync(join(dir, "state", "run.lock"))).toBe(false)
    expect(existsSync(join(dir, "videos.ndjson.lock"))).toBe(false)
  })

  it("torn lock files (a run killed while creating them) do not hold the next run, however fresh; another host's lock does", async () => {
    const dir = tempDir()
    const argv = harvest("ndjson:./videos.ndjson")
    const lock = join(dir, "videos.ndjson.lock")
    // Another host's process cannot be checked from here: its lock holds, however old.
    writeFileSync(lock, "1@elsewhere.example")
    const longAgo = new Date("2026-01-01T00:00:00.000Z")
    utimesSync(lock, longAgo, longAgo)
    const remote = await runCli(argv, { cwd: dir, env: fixture.env() })
    expect(remote.code).toBe(2)
    expect(oneLineError(remote.stderr)).toContain("(pid 1 on host elsewhere.example, since 2026-01-01T00:00:00.000Z)")
    // What a SIGKILL between creating a lock and writing its tag leaves: empty or torn files. Locks
    // are created whole, so these are nobody's; dated an hour ahead, no age rule can explain a take-over.
    const ledgerLock = join(dir, "quota.json.lock")
    const stateLock = join(dir, "state", "run.lock")
    mkdirSync(join(dir, "state"), { recursive: true })
    const ahead = new Date(Date.now() + 3_600_000)
    for (const [path, torn] of [[lock, ""], [stateLock, "4"], [ledgerLock, ""]] as const) {
      writeFileSync(path, torn)
      utimesSync(path, ahead, ahead)
    }
    const taken = await runCli(argv, { cwd: dir, env: fixture.env({ TIKFLOW_QUOTA_LEDGER: join(dir, "quota.json") }) })
    expect(taken.code, taken.stderr).toBe(0)
    expect(taken.stderr).not.toContain("in use")
    expect(existsSync(join(dir, "quota.json"))).toBe(true)
    for (const path of [lock, stateLock, ledgerLock]) expect(existsSync(path)).toBe(false)
    // Nothing of the locks' creation is left beside them (the tag is written to a temp file, then linked).
    expect(readdirSync(dir).filter((name) => name.includes(".lock"))).toEqual([])
  })
})
