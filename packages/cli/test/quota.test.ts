import { mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { clientKeyHash, machineQuotaLedgerPath } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { runCli } from "./support/run-cli.js"
import { refuses, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox({ faults: {} })
const today = () => new Date().toISOString().slice(0, 10)
const users = (n: number) => Array.from({ length: n }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)

describe("tikflow quota", () => {
  const dir = tempDir()
  const stateHome = join(dir, "state-home")

  it("reads the machine's ledger of the client key, from any directory", async () => {
    const env = { TIKTOK_CLIENT_KEY: "client-a", XDG_STATE_HOME: stateHome }
    const ledger = machineQuotaLedgerPath("client-a", env)
    const first = await runCli(["quota", "--log-format", "json"], { env })
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ used: 0, reserved: 0, limit: 1000, left: 1000, ledger })
    mkdirSync(join(stateHome, "tikflow", "quota"), { recursive: true })
    writeFileSync(ledger, JSON.stringify({ version: 2, day: today(), used: 37, holders: {} }))
    for (const cwd of [dir, join(dir, "..")]) {
      const second = await runCli(["quota", "--daily-quota", "50"], { cwd, env })
      expect(second.code, second.stderr).toBe(0)
      expect(second.stdout).toMatch(/used today\s+37 of 50 requests/)
      expect(second.stdout).toMatch(/left\s+13/)
    }
    // Another client's ledger is another file; the key itself is never part of the name.
    const other = await runCli(["quota", "--log-format", "json"], { env: { ...env, TIKTOK_CLIENT_KEY: "client-b" } })
    expect(JSON.parse(other.stdout)).toMatchObject({ used: 0 })
    expect(readdirSync(join(stateHome, "tikflow", "quota"))).toEqual([`${clientKeyHash("client-a")}.json`])
  })

  it("takes the key from --credentials, and says clearly when there is none", async () => {
    const file = join(dir, "creds.json")
    writeFileSync(file, JSON.stringify({ client_key: "client-a" }))
    const fromFile = await runCli(["quota", "--credentials", file, "--log-format", "json"], { env: { XDG_STATE_HOME: stateHome } })
    expect(fromFile.code, fromFile.stderr).toBe(0)
    expect(JSON.parse(fromFile.stdout).ledger).toBe(machineQuotaLedgerPath("client-a", { XDG_STATE_HOME: stateHome }))
    const none = await runCli(["quota"], { env: { XDG_STATE_HOME: stateHome } })
    expect(none.code).toBe(2)
    expect(none.stderr.trim().split("\n")).toHaveLength(1)
    expect(none.stderr).toMatch(/quota: the ledger is kept per client key and none is set; set TIKTOK_CLIENT_KEY, pass --credentials FILE, or name the ledger with --quota-ledger PATH/)
  })

  it("--quota-ledger and TIKFLOW_QUOTA_LEDGER name the file (no key needed)", async () => {
    const path = join(dir, "elsewhere", "ledger.json")
    mkdirSync(join(dir, "elsewhere"))
    writeFileSync(path, JSON.stringify({ version: 1, day: today(), used: 4 }))
    const flag = await runCli(["quota", "--quota-ledger", path, "--log-format", "json"])
    expect(JSON.parse(flag.stdout)).toMatchObject({ used: 4, ledger: path })
    const fromEnv = await runCli(["quota", "--log-format", "json"], { env: { TIKFLOW_QUOTA_LEDGER: path } })
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ used: 4, ledger: path })
    const empty = await runCli(["quota", "--quota-ledger", ""])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/--quota-ledger: expected a file path/)
  })

  it("counts a day as new after 00:00 UTC (TIKFLOW_CLOCK_OFFSET_MS moves the clock)", async () => {
    const path = join(dir, "day.json")
    writeFileSync(path, JSON.stringify({ version: 2, day: today(), used: 1000, holders: {} }))
    const spent = await runCli(["quota", "--quota-ledger", path, "--log-format", "json"])
    expect(JSON.parse(spent.stdout)).toMatchObject({ used: 1000, left: 0 })
    const tomorrow = await runCli(["quota", "--quota-ledger", path, "--log-format", "json"], {
      env: { TIKFLOW_CLOCK_OFFSET_MS: String(86_400_000) }
    })
    expect(JSON.parse(tomorrow.stdout)).toMatchObject({ used: 0, left: 1000 })
  })

  it("harvests in two directories share one budget: the second stops where the first left off", async () => {
    const env = fixture.env({ XDG_STATE_HOME: join(dir, "shared-home") })
    const [a, b] = [join(dir, "project-a"), join(dir, "project-b")]
    mkdirSync(a)
    mkdirSync(b)
    // Accounts the API answers (a refused one would make a finished run exit 5).
    const answered = users(30).filter((name) => !refuses(() => fixture.sandbox.groundTruth.userInfo(name))).slice(0, 4)
    expect(answered).toHaveLength(4)
    const argv = ["user-info", "--username", answered.join(","), "--out", "ndjson:./users.ndjson", "--daily-quota", "6"]
    const first = await runCli(argv, { cwd: a, env })
    expect(first.code, first.stderr).toBe(0)
    const second = await runCli(argv, { cwd: b, env })
    expect(second.code, second.stderr).toBe(4)
    const quota = await runCli(["quota", "--daily-quota", "6", "--log-format", "json"], { cwd: dir, env })
    expect(JSON.parse(quota.stdout)).toMatchObject({ used: 6, reserved: 0, left: 0 })
  })
})
