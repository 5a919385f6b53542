import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runCli } from "./support/run-cli.js"
import { tempDir } from "./support/temp-dir.js"

describe("tikflow quota", () => {
  const dir = tempDir()

  it("prints today's use from the ledger in the state directory", async () => {
    const state = join(dir, "state")
    const today = new Date().toISOString().slice(0, 10)
    const first = await runCli(["quota", "--state", state, "--log-format", "json"])
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ used: 0, limit: 1000, left: 1000 })
    writeFileSync(join(state, "quota.json"), JSON.stringify({ version: 1, day: today, used: 37 }))
    const second = await runCli(["quota", "--state", state, "--daily-quota", "50"])
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/used today\s+37 of 50 requests/)
    expect(second.stdout).toMatch(/left\s+13/)
  })

  it("counts a day as new after 00:00 UTC (TIKFLOW_CLOCK_OFFSET_MS moves the clock)", async () => {
    const state = join(dir, "state2")
    const today = new Date().toISOString().slice(0, 10)
    await runCli(["quota", "--state", state])
    writeFileSync(join(state, "quota.json"), JSON.stringify({ version: 1, day: today, used: 1000 }))
    const spent = await runCli(["quota", "--state", state, "--log-format", "json"])
    expect(JSON.parse(spent.stdout)).toMatchObject({ used: 1000, left: 0 })
    const tomorrow = await runCli(["quota", "--state", state, "--log-format", "json"], {
      env: { TIKFLOW_CLOCK_OFFSET_MS: String(86_400_000) }
    })
    expect(JSON.parse(tomorrow.stdout)).toMatchObject({ used: 0, left: 1000 })
  })
})
