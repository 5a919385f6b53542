import { execFileSync, spawn } from "node:child_process"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"

const here = fileURLToPath(new URL(".", import.meta.url))
const repo = join(here, "..", "..", "..")
const child = join(here, "support", "crash-harvest.mjs")

/** Runs the child harvest; kills it with SIGKILL after `killAfterMs` unless it finishes first. */
const runChild = (dir: string, killAfterMs: number | undefined, crashPoint = 0) =>
  new Promise<"done" | "killed">((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, "3000", "40", "4"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CRASH_POINT: String(crashPoint) }
    })
    let stderr = ""
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill("SIGKILL"), killAfterMs)
    proc.on("exit", (code, signal) => {
      clearTimeout(timer)
      if (signal === "SIGKILL") resolve("killed")
      else if (code === 0) resolve("done")
      else reject(new Error(`child failed (${code}): ${stderr}`))
    })
  })

const walk = async (dir: string): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await walk(join(dir, entry.name))))
    else out.push(entry.name)
  }
  return out
}

describe("crash and resume (SIGKILL at random points)", () => {
  beforeAll(() => {
    // The child runs the built package, as an installed tikflow would.
    execFileSync(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", join(repo, "packages", "sinks")], { stdio: "inherit" })
  }, 180_000)

  it("Parquet and DuckDB end with every record exactly once and no torn files", async () => {
    const dir = await tempDir("tikflow-crash-")
    const seed = Date.now() % 100_000
    // Kills at random steps of the commit protocol (mid-epoch, between one sink's flush and the
    // other's, between the flushes and the checkpoint save), then at random times (mid-file).
    const points = fc.sample(fc.integer({ min: 1, max: 90 }), { numRuns: 4, seed })
    const delays = fc.sample(fc.integer({ min: 500, max: 4000 }), { numRuns: 1, seed })
    const outcomes: Array<string> = []
    for (const point of points) outcomes.push(await runChild(dir, undefined, point))
    for (const delay of delays) outcomes.push(await runChild(dir, delay))
    // A crash point beyond what is left of a resumed run lets it finish: outcomes vary, data may not.
    expect(outcomes[0], `seed ${seed}`).toBe("killed")
    expect(await runChild(dir, undefined)).toBe("done")

    const glob = sqlString(join(dir, "parquet", "videos", "**", "*.parquet"))
    const want = { n: 3000, ids: 3000, likes: String((2999 * 3000) / 2), shares: String(3000 * 2 ** 40 + (2999 * 3000) / 2) }
    const [parquet] = await duckdbQuery(
      `select count(*)::int n, count(distinct id)::int ids, sum(like_count)::varchar likes, sum(share_count)::varchar shares from read_parquet(${glob}, hive_partitioning = true)`
    )
    expect(parquet, `seed ${seed}, outcomes ${outcomes.join(" ")}`).toEqual(want)
    const [db] = await duckdbQuery(
      `ATTACH ${sqlString(join(dir, "db.duckdb"))} AS db (READ_ONLY); select count(*)::int n, count(distinct id)::int ids, sum(like_count)::varchar likes, ` +
        "sum(share_count)::varchar shares from db.videos"
    )
    expect(db).toEqual(want)
    const files = await walk(join(dir, "parquet"))
    expect(files.filter((f) => !f.endsWith(".parquet"))).toEqual([])
  }, 180_000)
})
