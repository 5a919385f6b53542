import { execFileSync, spawn } from "node:child_process"
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, expect } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { dayOf, startSmallSandbox } from "./support/harvest-kit.js"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const child = fileURLToPath(new URL("./fixtures/harvest-child.mjs", import.meta.url))

let sandbox: Sandbox
beforeAll(async () => {
  // The child runs the built packages: bring packages/core and packages/sources dist up to date.
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-b", "packages/sources/tsconfig.json"], { cwd: root, stdio: "inherit" })
  sandbox = await startSmallSandbox({ seed: 17 })
  // How many pages an uninterrupted harvest writes, so every kill point falls inside the harvest.
  const dir = await mkdtemp(join(tmpdir(), "tikflow-kill-"))
  try {
    await run(dir, undefined)
    totalPages = (await pageFiles(dir)).length
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}, 120_000)
let totalPages = 0
afterAll(() => sandbox.stop())

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "JP", "BR", "FR"] }] }
const request = { query, startDate: dayOf(0), endDate: dayOf(44), windowDays: 15, maxCount: 20, concurrency: 1 }

const pageFiles = async (dir: string) => (await readdir(join(dir, "pages")).catch(() => [])).filter((f) => f.endsWith(".json"))

/** Runs the child; kills it with SIGKILL once `killAfterPages` page files exist (never, if undefined). */
const run = (dir: string, killAfterPages: number | undefined) =>
  new Promise<"done" | "killed">((resolve, reject) => {
    const proc = spawn(process.execPath, [child, sandbox.url, dir, JSON.stringify(request)], { stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    proc.stderr.on("data", (chunk) => (stderr += chunk))
    let timer: NodeJS.Timeout | undefined
    if (killAfterPages !== undefined) {
      const poll = async () => {
        if ((await pageFiles(dir)).length >= killAfterPages) proc.kill("SIGKILL")
        else timer = setTimeout(poll, 1)
      }
      void poll()
    }
    proc.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (signal === "SIGKILL") resolve("killed")
      else if (code === 0) resolve("done")
      else reject(new Error(`child exited with ${code}: ${stderr}`))
    })
  })

test.prop([fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 4 })], { numRuns: 3 })(
  "a harvest killed with SIGKILL at random points completes on re-run with exactly the ground truth",
  async (killPoints) => {
    const dir = await mkdtemp(join(tmpdir(), "tikflow-kill-"))
    try {
      const before = sandbox.stats.requests["video/query"]
      let kills = 0
      expect(totalPages).toBeGreaterThan(1)
      for (const point of [...new Set(killPoints.map((p) => p % (totalPages - 1)))].sort((a, b) => a - b)) {
        if ((await run(dir, point)) === "killed") kills++
      }
      expect(await run(dir, undefined)).toBe("done")
      expect(kills).toBeGreaterThan(0)

      const pages = (await pageFiles(dir)).sort((a, b) => Number(a.slice(0, -5)) - Number(b.slice(0, -5)))
      const ids: Array<string> = []
      for (const file of pages) ids.push(...(JSON.parse(await readFile(join(dir, "pages", file), "utf8")) as Array<string>))
      const truth: Array<string> = []
      for (const s of [0, 15, 30]) {
        truth.push(...sandbox.groundTruth.videos({ query, start_date: dayOf(s), end_date: dayOf(s + 14) }).map((v) => v.id))
      }
      expect(new Set(ids).size).toBe(ids.length) // exactly once across kills
      expect([...ids].sort()).toEqual(truth.sort())
      // Each kill costs at most the page whose commit it interrupted plus the page in flight.
      const requests = sandbox.stats.requests["video/query"] - before
      expect(requests - pages.length).toBeLessThanOrEqual(2 * kills)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
)
