import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { parquetIds, QUERY, sorted, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const { fixture, clock, harvest } = useHistorySandbox()

describe("harvest history: --fresh", () => {
  it("--fresh leaves every sink holding exactly the new result, even when the quota stops it", { timeout: 180_000 }, async () => {
    clock.now = Date.now()
    const dir = tempDir()
    const outs = ["ndjson:./v.ndjson", "parquet:./pq", "duckdb:./v.duckdb", "arrow:./arrow"]
    const args = [...videos("2024-01-01", "2024-01-31", ...outs), "--window-days", "5", "--commit-every", "1"]
    const first = await harvest(args, dir)
    expect(first.code, first.stderr).toBe(0)
    const whole = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-31"))
    const held = async () => ({
      ndjson: sorted(readNdjson(join(dir, "v.ndjson")).map((video) => video.id)),
      parquet: await parquetIds(join(dir, "pq")),
      duckdb: sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM videos")).map((row) => row.id)),
      arrow: sorted(readArrowColumn(join(dir, "arrow"), "id"))
    })
    expect(await held()).toEqual({ ndjson: whole, parquet: whole, duckdb: whole, arrow: whole })

    // Again from scratch, stopped by tikflow's ledger after 3 more requests: every sink holds what
    // the new run committed, and nothing of the first run.
    const stopped = await harvest([...args, "--fresh", "--daily-quota", String(first.requests + 3)], dir)
    expect(stopped.code, stopped.stderr).toBe(4)
    const partial = await held()
    expect(partial.parquet.length).toBeGreaterThan(0)
    expect(partial.parquet.length).toBeLessThan(whole.length)
    expect(partial).toEqual({ ndjson: partial.parquet, parquet: partial.parquet, duckdb: partial.parquet, arrow: partial.parquet })

    // The same command, with quota, resumes the fresh run to the whole result.
    const resumed = await harvest([...args, "--daily-quota", "1000"], dir)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(await held()).toEqual({ ndjson: whole, parquet: whole, duckdb: whole, arrow: whole })
  })
})
