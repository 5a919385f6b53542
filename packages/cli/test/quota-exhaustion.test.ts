import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { machineQuotaLedgerPath } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { runCli, stateHomeFor } from "./support/run-cli.js"
import { fanOutExitCode, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

/** The sandbox's own daily quota is small, and its clock is ours to move. */
let offset = 0
const fixture = useSandbox({ faults: {}, quotaPerDay: 12, clock: () => Date.now() + offset })

const users = (n: number) => Array.from({ length: n }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
/** Milliseconds from now to a minute past the next 00:00 UTC. */
const untilAfterReset = () => (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000 + 60_000 - Date.now()

describe("quota exhaustion", () => {
  it("the API's daily quota runs out: exit 4, resumable; after the reset the same command finishes", async () => {
    const dir = tempDir()
    const names = users(20)
    const argv = ["user-info", "--username", names.join(","), "--out", "ndjson:./users.ndjson", "--commit-every", "1"]
    const first = await runCli(argv, { cwd: dir, env: fixture.env() })
    expect(first.code).toBe(4)
    expect(first.stderr).toMatch(/daily quota exhausted: .*run the same command again after \d{4}-\d{2}-\d{2}T00:00:00/)
    const delivered = readNdjson(join(dir, "users.ndjson")).length
    expect(delivered).toBeGreaterThan(0)
    expect(delivered).toBeLessThan(names.length)
    // The partial summary comes before the error line.
    expect(first.stderr).toMatch(new RegExp(`stopped by the daily quota \\(partial\\):\n.*users\\s+${delivered} records written and committed before the stop`))
    // No lock is left to stall the next command, and the run holds no reservation any more.
    const ledger = machineQuotaLedgerPath(fixture.sandbox.credentials.clientKey, { XDG_STATE_HOME: stateHomeFor(dir) })
    expect(readdirSync(dirname(ledger))).toEqual([ledger.split("/").at(-1)])
    expect(JSON.parse(readFileSync(ledger, "utf8")).holders).toEqual({})

    // Still the same day: the ledger says spent, and no request reaches the API.
    const requestsBefore = fixture.sandbox.stats.requests["user/info"]
    const again = await runCli(argv, { cwd: dir, env: fixture.env() })
    expect(again.code).toBe(4)
    const requestsAfter = fixture.sandbox.stats.requests["user/info"]
    expect(requestsAfter).toBe(requestsBefore)

    offset = untilAfterReset()
    const resumed = await runCli(argv, { cwd: dir, env: fixture.env({ TIKFLOW_CLOCK_OFFSET_MS: String(offset) }) })
    expect(resumed.stderr).toMatch(/resuming harvest users-[0-9a-f]+ from epoch \d+/)
    expect(resumed.code).toBe(fanOutExitCode(names, fixture.sandbox.groundTruth.userInfo))
    const records = readNdjson(join(dir, "users.ndjson"))
    expect(records.map((r) => r.username).sort()).toEqual([...names].sort())
  })

  it("tikflow's own ledger (--daily-quota) stops the run before the API would", async () => {
    const dir = tempDir()
    const names = users(16)
    const argv = ["followers", "--username", names.join(","), "--out", "ndjson:./followers.ndjson", "--daily-quota", "9", "--commit-every", "1"]
    const localOffset = untilAfterReset() + 2 * 86_400_000 // a day the sandbox quota is fresh too
    offset = localOffset
    const first = await runCli([...argv, "--log-format", "json"], { cwd: dir, env: fixture.env({ TIKFLOW_CLOCK_OFFSET_MS: String(localOffset) }) })
    expect(first.code).toBe(4)
    expect(first.stderr).toMatch(/daily quota spent \(9\/9 requests\)/)
    const events = first.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)
    const summary = events.find((event) => event.type === "summary")
    expect(summary).toMatchObject({ status: "quota-exhausted", stoppedByQuota: { job: expect.any(String), records: expect.any(Number) } })
    expect(existsSync(`${machineQuotaLedgerPath(fixture.sandbox.credentials.clientKey, { XDG_STATE_HOME: stateHomeFor(dir) })}.lock`)).toBe(false)
    const quota = await runCli(["quota", "--daily-quota", "9", "--log-format", "json"], { cwd: dir, env: fixture.env({ TIKFLOW_CLOCK_OFFSET_MS: String(localOffset) }) })
    expect(JSON.parse(quota.stdout)).toMatchObject({ used: 9, limit: 9, left: 0 })
    offset = localOffset + 86_400_000
    const resumed = await runCli(argv, { cwd: dir, env: fixture.env({ TIKFLOW_CLOCK_OFFSET_MS: String(offset) }) })
    expect(resumed.code, resumed.stderr).toBe(fanOutExitCode(names, fixture.sandbox.groundTruth.followers))
    expect(resumed.stderr).toMatch(/resuming harvest followers-[0-9a-f]+/)
  })
})
