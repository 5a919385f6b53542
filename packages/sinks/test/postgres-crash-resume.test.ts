import { execFileSync, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { sql } from "./support/postgres-reader.js"

const here = fileURLToPath(new URL(".", import.meta.url))
const repo = join(here, "..", "..", "..")
const child = join(here, "support", "postgres-crash-harvest.mjs")
// Pages of 4,000 (about 570 KB of COPY text): the second page of an epoch fills a load (1 MB),
// so the sink sends a COPY while the harvest writes, as a real one does.
const [TOTAL, PAGE, PAGES_PER_EPOCH] = [24_000, 4_000, 2]

beforeAll(() => {
  // The child runs the built package, as an installed tikflow would.
  execFileSync(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", join(repo, "packages", "sinks")], { stdio: "inherit" })
}, 180_000)
const server = usePostgres()

const runChild = (uri: string, crash: { point: number; mode: "after" | "during"; delayMs: number } | undefined) =>
  new Promise<"done" | "killed">((resolve, reject) => {
    const proc = spawn(process.execPath, [child, uri, String(TOTAL), String(PAGE), String(PAGES_PER_EPOCH)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CRASH_POINT: String(crash?.point ?? 0), CRASH_MODE: crash?.mode ?? "after", CRASH_DELAY_MS: String(crash?.delayMs ?? 0) }
    })
    let stderr = ""
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    proc.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve("killed")
      else if (code === 0) resolve("done")
      else reject(new Error(`child failed (${code}): ${stderr}`))
    })
  })

describe("postgres sink: crash and resume (SIGKILL during COPY, during commit, between steps)", () => {
  it("ends with every record exactly once, as the ground truth has it", async () => {
    const seed = Date.now() % 100_000
    const uri = server.uri({ query: "schema=crash" })
    // 6 pages in 3 epochs: steps 1-2 write, 3 flushes, 4-5 write, 6 flushes, …
    const crashes = fc.sample(
      fc.record({ point: fc.integer({ min: 1, max: 9 }), mode: fc.constantFrom("after" as const, "during" as const), delayMs: fc.integer({ min: 0, max: 15 }) }),
      { numRuns: 6, seed }
    )
    // Always one kill in flight during a COPY (step 2's write sends the epoch's first load) and one
    // during the flush (step 3: the merge, the checkpoint, the commit).
    crashes.unshift({ point: 2, mode: "during", delayMs: 1 }, { point: 3, mode: "during", delayMs: 2 })
    const outcomes: Array<string> = []
    for (const crash of crashes) outcomes.push(await runChild(uri, crash))
    expect(outcomes[0], `seed ${seed}`).toBe("killed")
    expect(await runChild(uri, undefined)).toBe("done")

    const n = TOTAL
    const [row] = await sql(server.uri(),
      "select count(*)::int n, count(distinct id)::int ids, sum(like_count)::text likes, sum(share_count)::text shares, " +
      "sum(cardinality(hashtag_names))::int tags, count(_tikflow_nul_fields)::int nul, " +
      "(select count(*) from crash._tikflow_checkpoints)::int checkpoints from crash.videos")
    expect(row, `seed ${seed}, outcomes ${outcomes.join(" ")}`).toEqual({
      n, ids: n, likes: String(((n - 1) * n) / 2), shares: String(n * 2 ** 40 + ((n - 1) * n) / 2), tags: 3 * (n / 2), nul: n / 50, checkpoints: 1
    })
    const [sample] = await sql(server.uri(), "select video_description, hashtag_names from crash.videos where id = $1", [String(18_000_000_000_000_000_000n + 7n)])
    expect(sample).toEqual({ video_description: "vidéo 7 🎉\t\"q\"\\", hashtag_names: ["a", "h2", "{x,\"y\"}"] })
  }, 180_000)
})
