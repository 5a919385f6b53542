import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// What a run leaves on disk besides its outputs: everything under --state, and no temp file that
// a killed run left behind survives the next run.

const fixture = useSandbox({ faults: {} })
const root = tempDir()
let runs = 0
const runDir = () => {
  const dir = join(root, `run-${++runs}`)
  mkdirSync(join(dir, "work"), { recursive: true })
  return dir
}

/** Every file under `dir`, relative. */
const filesUnder = (dir: string): Array<string> =>
  existsSync(dir) ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1)) : []

/** A pid no process has any more. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!

describe("files a run keeps", () => {
  it("webhook dead letters go under --state, not the current directory", async () => {
    const dir = runDir()
    const server = createServer((request, response) => {
      request.resume()
      request.on("end", () => response.writeHead(422).end("{}"))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const result = await runCli([
        "videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-10", "--state", join(dir, "state"),
        "--out", `webhook:http://127.0.0.1:${port}/hook?batch_size=50&dead_letter_ok=true`
      ], { cwd: join(dir, "work"), env: fixture.env({ TIKFLOW_WEBHOOK_SECRET: "s" }) })
      expect(result.code, result.stderr).toBe(0)
      expect(filesUnder(dir)).toContain("state/dead-letter/webhook-videos.ndjson")
      const letters = readFileSync(join(dir, "state", "dead-letter", "webhook-videos.ndjson"), "utf8").trim().split("\n")
      expect(letters.length).toBeGreaterThan(0)
      expect(filesUnder(join(dir, "work"))).toEqual([])
    } finally {
      server.close()
    }
  })

  it("temp files of killed runs are removed by the next run, in the state and in file outputs", async () => {
    const dir = runDir()
    const state = join(dir, "state")
    const stale = `.x.json.${deadPid()}-0badc0de.tmp`
    // As a run killed mid-write leaves them: next to a checkpoint, a run state, a history, an NDJSON sidecar, a part.
    for (const sub of ["", "checkpoints", "runs", "history"]) {
      mkdirSync(join(state, sub), { recursive: true })
      writeFileSync(join(state, sub, stale), "{")
    }
    mkdirSync(join(dir, "work", "parquet", "videos"), { recursive: true })
    writeFileSync(join(dir, "work", "parquet", "videos", `.part-0123456789-e0000000001-000000.parquet.${deadPid()}-0badc0de.tmp`), "PAR1")
    writeFileSync(join(dir, "work", stale), "{")
    const args = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-20", "--state", state,
      "--window-days", "3", "--commit-every", "10", "--log-format", "json", "--out", "parquet:./parquet", "--out", "ndjson:./videos.ndjson"]

    // A run killed with SIGKILL once it has committed twice, then the same command again.
    const child = spawnCli(args, { cwd: join(dir, "work"), env: fixture.env({ TIKFLOW_RATE: "12" }) })
    const killed = collect(child)
    await waitForOutput(child, /"type":"checkpoint"[^\n]*"epoch":2\b/)
    child.kill("SIGKILL")
    expect((await killed).signal).toBe("SIGKILL")
    const result = await runCli(args, { cwd: join(dir, "work"), env: fixture.env() })
    expect(result.code).toBe(0)

    const leftovers = [...filesUnder(state), ...filesUnder(join(dir, "work"))].filter((file) => file.endsWith(".tmp"))
    expect(leftovers).toEqual([])
    const expected = [...expectedVideoIds(fixture.sandbox, "region_code = US", "2024-01-01", "2024-01-20")].sort()
    const rows = await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "work", "parquet")}/**/*.parquet')`)
    expect(rows.map((row) => String(row.id)).sort()).toEqual(expected)
  })
})
