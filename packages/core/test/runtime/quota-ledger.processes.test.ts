import { execFile, execFileSync } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, expect, it } from "vitest"
import { QuotaLedger } from "@tikflow/core"

const root = fileURLToPath(new URL("../../../..", import.meta.url))
const child = fileURLToPath(new URL("./fixtures/consume-quota.mjs", import.meta.url))
const coreIndex = pathToFileURL(join(root, "packages/core/dist/index.js")).href

let dir: string
beforeAll(async () => {
  // The children run the built core: bring packages/core/dist up to date.
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-b", "packages/core/tsconfig.json"], { cwd: root, stdio: "inherit" })
  dir = await mkdtemp(join(tmpdir(), "tikflow-quota-procs-"))
}, 120_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

it("separate processes sharing one ledger file never grant more than the limit together", async () => {
  const path = join(dir, "quota.json")
  const now = Date.UTC(2026, 2, 1, 12)
  const limit = 50
  const runs = await Promise.all(
    [30, 30, 30].map((count) => promisify(execFile)(process.execPath, [child, coreIndex, path, String(limit), String(count), String(now)]))
  )
  const granted = runs.map((r) => Number(r.stdout))
  expect(granted.reduce((a, b) => a + b, 0)).toBe(limit)
  expect((await new QuotaLedger({ path, limit }).snapshot(now)).used).toBe(limit)
})
