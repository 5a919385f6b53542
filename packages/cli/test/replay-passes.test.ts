import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { useHistorySandbox, videos } from "./support/history-sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const { clock, harvest } = useHistorySandbox()

/** Every row of the videos stream in DuckDB and Parquet, as JSON text in id order. */
const rows = async (dir: string, prefix: string) => {
  const text = (list: ReadonlyArray<Record<string, unknown>>) => list.map((row) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v)))
  return {
    ndjson: readFileSync(join(dir, `${prefix}.ndjson`), "utf8"),
    duck: text(await query(join(dir, `${prefix}.duckdb`), "SELECT * FROM videos ORDER BY id")),
    parquet: text(await query(":memory:", `SELECT * FROM read_parquet('${join(dir, `${prefix}-pq`)}/**/*.parquet') ORDER BY id, _fetched_at`))
  }
}

describe("replay of a harvest run several times", () => {
  it("provisional days fetched again and later days added: replay gives what the runs left in every sink, pass by pass", async () => {
    const dir = tempDir()
    const outs = (prefix: string) => [`ndjson:./${prefix}.ndjson`, `duckdb:./${prefix}.duckdb`, `parquet:./${prefix}-pq`]
    // Late on the 11th: the 9th is provisional but mostly visible, so the next run fetches its videos again.
    clock.now = Date.parse("2024-02-11T23:00:00Z")
    expect((await harvest(videos("2024-02-01", "2024-02-10", ...outs("h")), dir)).code).toBe(0)
    // Ten days later: the two provisional days again (every sink replaces their rows), then five more days.
    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const again = await harvest(videos("2024-02-01", "2024-02-10", ...outs("h")), dir)
    expect(again.stderr).toMatch(/fetching 2 provisional day\(s\) again/)
    expect((await harvest(videos("2024-02-01", "2024-02-15", ...outs("h")), dir)).code).toBe(0)

    const replayed = await runCli(["replay", ...outs("r").flatMap((out) => ["--out", out])], {
      cwd: dir,
      env: { TIKFLOW_BASE_URL: "http://127.0.0.1:9", TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined }
    })
    expect(replayed.code, replayed.stderr).toBe(0)
    const original = await rows(dir, "h")
    const rebuilt = await rows(dir, "r")
    expect(rebuilt.ndjson).toBe(original.ndjson)
    expect(rebuilt.duck).toEqual(original.duck)
    expect(rebuilt.parquet).toEqual(original.parquet)
    // One row per video everywhere: the re-fetched days replaced their earlier rows, in the runs and in the replay.
    expect(original.ndjson.trim().split("\n").length).toBe(original.duck.length)
    expect(original.parquet.length).toBe(original.duck.length)
  }, 180_000)
})
