import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { query, readArrowColumn, readNdjson } from "../../packages/cli/test/support/read-outputs.js"
import { mountSmallDisk } from "../support/full-disk.js"
import type { SmallDisk } from "../support/full-disk.js"
import { cliBin } from "./support/cli.js"
import { ensureBuilt, repoRoot } from "./support/run-node.js"
import { startSandbox } from "./support/sandbox.js"
import type { Sandbox } from "./support/sandbox.js"
import { windowsOf } from "./support/windows.js"

// The built CLI harvests into an output on a disk that fills mid-run (a 96 KiB tmpfs; where this
// machine may not mount one, a per-file size limit, `ulimit -f`, which cuts a write short and then
// fails the next with EFBIG, as a full disk does with ENOSPC), then again once there is room. Every file sink must fail
// the run (exit 1, one line naming the file) without committing a torn file, and the second run
// must end with exactly the ground truth, every file readable.

const FROM = "2024-01-01"
const TO = "2024-02-29"
const QUERY = "region_code IN (US, CA, GB, DE, FR, JP)"
const ROOM = 96 * 1024
// The fallback limits each file: below one part of 100 rows, above every state file.
const FILE_LIMIT = 8 * 1024

type Sink = "ndjson" | "parquet" | "arrow" | "csv" | "duckdb"
const outputOf: Record<Sink, string> = {
  ndjson: "ndjson:./out/videos.ndjson",
  parquet: "parquet:./out/parquet?part_rows=200",
  arrow: "arrow:./out/arrow?part_rows=200",
  csv: "csv:./out/csv",
  duckdb: "duckdb:./out/videos.duckdb"
}

const files = (dir: string, suffix: RegExp): Array<string> =>
  !existsSync(dir) ? [] : (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((e) => e.isFile() && suffix.test(e.name)).map((e) => join(e.parentPath, e.name))

/** The video ids each sink holds (throws if a file is unreadable). */
const idsIn = async (sink: Sink, out: string): Promise<Array<string>> => {
  switch (sink) {
    case "ndjson":
      return readNdjson(join(out, "videos.ndjson")).map((video) => String(video.id))
    case "parquet":
      return (await query(":memory:", `SELECT id FROM read_parquet('${join(out, "parquet")}/**/*.parquet')`)).map((r) => String(r.id))
    case "arrow":
      return readArrowColumn(join(out, "arrow"), "id").map(String)
    case "csv":
      return readFileSync(join(out, "csv", "videos.csv"), "utf8").split("\r\n").slice(1).filter(Boolean).map((line) => line.split(",")[0])
    case "duckdb":
      return (await query(join(out, "videos.duckdb"), "SELECT id FROM videos")).map((r) => String(r.id))
  }
}

interface Run { readonly code: number | null; readonly stderr: string }

/** Runs the CLI; with `fileLimitBytes`, under `ulimit -f` (the fallback full disk). */
const runCli = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv, fileLimitBytes?: number): Promise<Run> =>
  new Promise((resolve, reject) => {
    const command = fileLimitBytes === undefined
      ? spawn(process.execPath, [cliBin, ...args], { cwd, env: { ...process.env, ...env } })
      // bash counts ulimit -f in KiB.
      : spawn("bash", ["-c", `ulimit -f ${Math.ceil(fileLimitBytes / 1024)} && exec "$@"`, "bash", process.execPath, cliBin, ...args], { cwd, env: { ...process.env, ...env } })
    let stderr = ""
    command.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    command.stdout.resume()
    command.on("error", reject)
    command.on("exit", (code) => resolve({ code, stderr }))
  })

describe("a disk that fills during a harvest", () => {
  let sandbox: Sandbox
  let root: string
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({ seed: 7, world: { videos: 2_000, days: 60, startDate: FROM, users: 100 }, quotaPerDay: 1e9 })
    root = mkdtempSync(join(tmpdir(), "tikflow-disk-full-"))
  })
  afterAll(async () => {
    await sandbox?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it.each(["ndjson", "parquet", "arrow", "csv", "duckdb"] as const)("%s: the run fails cleanly; with room again the output is exactly the ground truth", async (sink) => {
    const dir = join(root, sink)
    mkdirSync(dir, { recursive: true })
    // The output directory is the small disk; the state (checkpoints) stays on a roomy one.
    const disk: SmallDisk | undefined = mountSmallDisk(ROOM)
    const out = join(dir, "out")
    try {
      if (disk === undefined) mkdirSync(out)
      else rmSync(out, { force: true, recursive: true })
      const outDir = disk?.dir ?? out
      const args = [
        "videos", "--query", QUERY, "--from", FROM, "--to", TO, "--window-days", "10", "--state", join(dir, "state"),
        "--commit-every", "100", "--rate", "200", "--daily-quota", "10000000", "--base-url", sandbox.url,
        ...(sink === "csv" ? ["--plugin", join(repoRoot, "examples", "sink-plugin-csv", "dist", "index.js")] : []),
        "--out", outputOf[sink].replace("./out", outDir)
      ]
      const env = { TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey, TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret }

      const full = await runCli(args, dir, env, disk === undefined ? FILE_LIMIT : undefined)
      expect(full.code, full.stderr.slice(-1500)).toBe(1)
      expect(full.stderr).toMatch(/no space left on device|ENOSPC|File too large|EFBIG|could not write|disk/i)
      expect(files(outDir, /\.tmp$/)).toEqual([])

      // Room again: the user freed space (or lifted the limit) and runs the same command.
      disk?.grow(64 * 1024 * 1024)
      const again = await runCli(args, dir, env)
      expect(again.code, again.stderr.slice(-1500)).toBe(0)
      const ids = await idsIn(sink, outDir)
      const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "CA", "GB", "DE", "FR", "JP"] }] }
      const truth = windowsOf("20240101", "20240229").flatMap((window) => sandbox.groundTruth.videos({ query, ...window }).map((v) => String(v.id)))
      expect(ids.length).toBe(new Set(ids).size)
      expect([...ids].sort()).toEqual([...new Set(truth)].sort())
    } finally {
      disk?.unmount()
    }
  })
})
