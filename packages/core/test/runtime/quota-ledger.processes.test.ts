import { execFile, execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, expect, it } from "vitest"
import { FileQuotaStore, QuotaLedger } from "@tikflow/core/internal"

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

const now = Date.UTC(2026, 2, 1, 12)
const consume = (path: string, limit: number, count: number) =>
  promisify(execFile)(process.execPath, [child, coreIndex, path, String(limit), String(count), String(now)]).then((r) => Number(r.stdout))

it("three processes wanting 90 of a quota of 50 get exactly 50 together, and leave no reservation or lock behind", async () => {
  const path = join(dir, "contended.json")
  const granted = await Promise.all([30, 30, 30].map((count) => consume(path, 50, count)))
  expect(granted.reduce((a, b) => a + b, 0)).toBe(50)
  expect(await new FileQuotaStore(path).read("2026-03-01")).toEqual({ day: "2026-03-01", used: 50, reserved: 0, held: 0 })
  expect(existsSync(`${path}.lock`)).toBe(false)
})

it("three processes wanting 30 of 50 get all 30: units reserved but not sent go back, nothing is stranded", async () => {
  const path = join(dir, "roomy.json")
  const granted = await Promise.all([7, 10, 13].map((count) => consume(path, 50, count)))
  expect(granted).toEqual([7, 10, 13])
  expect(await new FileQuotaStore(path).read("2026-03-01")).toEqual({ day: "2026-03-01", used: 30, reserved: 0, held: 0 })
  // The rest of the day is free for the next run.
  expect(await consume(path, 50, 100)).toBe(20)
})

it("a SIGKILLed process strands at most its one block, counted as used", async () => {
  const path = join(dir, "killed.json")
  const holder = spawn(process.execPath, [child, coreIndex, path, "1000", "5", String(now), "hold"], { stdio: ["ignore", "pipe", "inherit"] })
  await new Promise<void>((resolve) => holder.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("holding") && resolve()))
  const during = await new FileQuotaStore(path).read("2026-03-01")
  expect(during).toMatchObject({ used: 0, reserved: 10 })
  const exited = new Promise((resolve) => holder.on("exit", resolve))
  holder.kill("SIGKILL")
  await exited
  const next = new QuotaLedger({ path, limit: 1000 })
  expect(await next.snapshot(now)).toMatchObject({ used: 10, reserved: 0 })
  // The next change writes the dead holder's block down as used.
  expect((await next.consume(now)).granted).toBe(true)
  await next.close()
  expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ used: 11, holders: {} })
})
