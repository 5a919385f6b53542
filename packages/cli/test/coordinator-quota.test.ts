import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { runCli, spawnCli } from "./support/run-cli.js"
import { useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// Faults off: a request the sandbox answers 500 still counts against the day, which would only
// make the bound easier to meet.
const fixture = useSandbox({ faults: {} })
const users = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `user_${String(from + i).padStart(5, "0")}`)

const server = usePostgres()

const researchRequests = () =>
  Object.entries(fixture.sandbox.stats.requests).filter(([name]) => name !== "oauth/token").reduce((sum, [, n]) => sum + n, 0)

describe("--coordinator postgres://: one quota for processes that share nothing else", () => {
  it("three harvests, one of them SIGKILLed, never send more than the shared daily budget together", async () => {
    const dir = tempDir()
    const coordinator = server.uri({ query: "schema=team" })
    const before = researchRequests()
    const BUDGET = 9
    // Each process has its own directory and its own machine-wide state (no shared ledger file):
    // only the coordinator connects them. Each alone would send 20 requests.
    const start = (i: number) => {
      const cwd = join(dir, `worker-${i}`)
      mkdirSync(cwd)
      const child = spawnCli(
        ["user-info", "--username", users(20, 1 + 20 * i).join(","), "--out", "ndjson:./users.ndjson", "--daily-quota", String(BUDGET), "--coordinator", coordinator, "--concurrency", "1"],
        { cwd, env: fixture.env({ XDG_STATE_HOME: join(cwd, "state-home"), TIKFLOW_RATE: "20" }) }
      )
      let stderr = ""
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
      return { child, exit: new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr }))) }
    }
    const workers = [0, 1, 2].map(start)
    // Kill one once it holds a block of the ledger.
    for (;;) {
      await new Promise((r) => setTimeout(r, 50))
      const held = server.psql("select count(*) from pg_tables where schemaname = 'team' and tablename = '_tikflow_quota_holders'", server.database).trim() === "1"
        ? Number(server.psql("select count(*) from team._tikflow_quota_holders", server.database).trim())
        : 0
      if (held > 0) break
    }
    workers[1]!.child.kill("SIGKILL")
    const results = await Promise.all(workers.map((w) => w.exit))
    expect(results[1]!.signal).toBe("SIGKILL")
    for (const r of [results[0]!, results[2]!]) {
      expect([0, 4], r.stderr).toContain(r.code)
      expect(r.stderr).not.toContain(server.password)
    }
    expect(results.some((r) => r.code === 4), results.map((r) => r.stderr).join("\n")).toBe(true)
    const sent = researchRequests() - before
    expect(sent).toBeGreaterThan(0)
    expect(sent).toBeLessThanOrEqual(BUDGET)

    // `tikflow quota` reads the same ledger: everything counted (the killed worker's block as used), nothing left.
    const quota = await runCli(["quota", "--coordinator", coordinator, "--daily-quota", String(BUDGET), "--log-format", "json"], { cwd: dir, env: fixture.env() })
    expect(quota.code, quota.stderr).toBe(0)
    const shown = JSON.parse(quota.stdout) as { used: number; reserved: number; left: number; ledger: string }
    expect(shown).toMatchObject({ reserved: 0, left: 0 })
    expect(shown.used).toBeGreaterThanOrEqual(sent)
    expect(shown.used).toBeLessThanOrEqual(BUDGET)
    expect(shown.ledger).toBe(`postgres://tikflow@127.0.0.1:${server.port}/tikflow?schema=team`)
  })

  it("--dry-run reads the team's quota from the coordinator, says the work queue decides, and sends nothing", async () => {
    const coordinator = server.uri({ query: "schema=dryrun" })
    const before = Object.values(fixture.sandbox.stats.requests).reduce((sum, n) => sum + n, 0)
    const argv = ["user-info", "--username", users(3).join(","), "--out", "ndjson:./u.ndjson", "--daily-quota", "9", "--coordinator", coordinator, "--dry-run"]
    const json = await runCli([...argv, "--json"], { cwd: tempDir(), env: fixture.env() })
    expect(json.code, json.stderr).toBe(0)
    const plan = JSON.parse(json.stdout) as { minRequests: number; quota: { left: number; ledger: string }; notes: Array<string> }
    expect(plan.minRequests).toBe(3)
    expect(plan.quota).toMatchObject({ left: 9, ledger: `postgres://tikflow@127.0.0.1:${server.port}/tikflow?schema=dryrun` })
    expect(plan.notes).toEqual([expect.stringMatching(/^with --coordinator the jobs run through the team's work queue/)])
    const text = await runCli(argv, { cwd: tempDir(), env: fixture.env() })
    expect(text.stdout).toMatch(/^quota left today: 9 of 9 requests \(resets .*; ledger postgres:\/\/tikflow@127\.0\.0\.1:\d+\/tikflow\?schema=dryrun\)$/m)
    expect(text.stdout).not.toContain(server.password)
    expect(Object.values(fixture.sandbox.stats.requests).reduce((sum, n) => sum + n, 0)).toBe(before)
  })

  it("a bad coordinator is refused before any request, in one line without the password", async () => {
    const before = researchRequests()
    const wrong = await runCli(["user-info", "--username", "user_00001", "--out", "ndjson:./u.ndjson", "--coordinator", server.uri().replace(`:${server.password}@`, ":Wr0ng-pw@")], {
      cwd: tempDir(),
      env: fixture.env()
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr.trim().split("\n").at(-1)).toMatch(/^tikflow: --coordinator: connecting to postgres:\/\/tikflow@127\.0\.0\.1:\d+\/tikflow: password authentication failed/)
    expect(wrong.stderr).not.toContain("Wr0ng-pw")
    const notPostgres = await runCli(["quota", "--coordinator", "mysql://u:Secret-1@h/db"], { env: fixture.env() })
    expect(notPostgres.code).toBe(2)
    expect(notPostgres.stderr).toMatch(/--coordinator: expected a postgres:\/\/user@host:port\/database URI/)
    expect(notPostgres.stderr).not.toContain("Secret-1")
    expect(researchRequests()).toBe(before)
  })
})
