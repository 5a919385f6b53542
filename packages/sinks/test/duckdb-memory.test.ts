import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, test } from "vitest"
import { resolveSink, sharedDuckDB } from "../src/internal.js"
import { DUCKDB_ALLOCATOR_CONF } from "../src/duckdb/duckdb-library.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { sampleVideo } from "./support/records.js"

const here = fileURLToPath(new URL(".", import.meta.url))
const repo = join(here, "..", "..", "..")
const child = join(here, "support", "duckdb-freed-memory.mjs")

interface FreedMemory {
  readonly before: number
  readonly filled: number
  readonly after: number
  readonly conf: string | null
}

const runChild = (env: Record<string, string | undefined>): FreedMemory =>
  JSON.parse(execFileSync(process.execPath, [child], { env: { ...process.env, ...env }, encoding: "utf8" })) as FreedMemory

describe("DuckDB's memory between merges", () => {
  beforeAll(() => {
    // The child loads the built package, as an installed tikflow would.
    execFileSync(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", join(repo, "packages", "sinks")], { stdio: "inherit" })
  }, 180_000)

  test("memory DuckDB frees goes back to the system at once (its allocator keeps no freed pages), unless the environment configures the allocator itself", () => {
    const own = runChild({ DUCKDB_JE_MALLOC_CONF: undefined })
    expect(own.conf).toBe(DUCKDB_ALLOCATOR_CONF)
    expect(own.filled - own.before).toBeGreaterThan(60)
    expect(own.after - own.before).toBeLessThan((own.filled - own.before) / 3)
    // The user's settings win: a decay of a minute keeps the freed pages in the process.
    const users = runChild({ DUCKDB_JE_MALLOC_CONF: "dirty_decay_ms:60000,muzzy_decay_ms:60000" })
    expect(users.conf).toBe("dirty_decay_ms:60000,muzzy_decay_ms:60000")
    expect(users.after - users.before).toBeGreaterThan((users.filled - users.before) / 2)
  })

  test("a flush leaves no table blocks cached (the sink never reads its table back) and memory_limit as configured", async () => {
    const file = join(await tempDir(), "big.duckdb")
    const writer = await resolveSink(`duckdb:${file}?memory_limit=256MB`).open(streamContext("video"))
    // ~60 MB of text DuckDB cannot compress much: without the release, the merged blocks stay cached (~33 MB).
    let seed = 1
    const noise = () =>
      Array.from({ length: 48 }, () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647).toString(36).slice(2, 22)).join("")
    for (let page = 0; page < 60; page++) {
      const records = Array.from({ length: 1000 }, (_, i) => ({ ...sampleVideo(page * 1000 + i), video_description: noise() }))
      await writer.write({ records, epoch: 1 })
    }
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    const connection = await (await sharedDuckDB(file)).connect()
    const [row] = (await connection.runAndReadAll(
      "select (select sum(memory_usage_bytes) from duckdb_memory())::bigint held, current_setting('memory_limit') m, (select count(*) from videos)::int n"
    )).getRowObjectsJS()
    connection.closeSync()
    await writer.close()
    expect(row).toMatchObject({ m: "244.1 MiB", n: 60_000 })
    expect(Number(row!.held)).toBeLessThanOrEqual(8 * 2 ** 20)
  })
})
