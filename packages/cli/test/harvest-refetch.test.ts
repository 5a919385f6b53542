import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { TestPostgres } from "../../../test/postgres/postgres-server.mjs"
import { startPostgres } from "../../../test/postgres/postgres-server.mjs"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { useHistorySandbox, videos } from "./support/history-sandbox.js"
import { smallWorld } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// The sandbox's counts grow while a video is within the 48 h data lag, so provisional days fetched
// again come back with other values for the same videos (and videos listed since).
// Forty videos a day, so the provisional days hold some in both fetches.
const { fixture, clock, harvest } = useHistorySandbox({ growingCounts: true, world: { ...smallWorld, videos: 3600 } })

let server: TestPostgres
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(() => server?.destroy())

const text = (value: unknown): string => (value === null || value === undefined ? "null" : String(value))
/** `id like_count view_count` per row, sorted: what must equal ground truth, one line per video. */
const lines = (rows: ReadonlyArray<Record<string, unknown>>): Array<string> =>
  rows.map((row) => `${text(row.id)} ${text(row.like_count)} ${text(row.view_count)}`).sort()

const truth = (from: string, to: string) =>
  lines(fixture.sandbox.groundTruth.videos({ query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "CA"] }] }, start_date: from, end_date: to }) as never)

describe("provisional days fetched again: changed records are updated, one row per video, in every sink", () => {
  it("NDJSON, Parquet (read by DuckDB), Arrow, a DuckDB file and PostgreSQL equal ground truth as of the second fetch", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const pg = server.uri({ query: "schema=refetch" })
    const outs = ["ndjson:./v.ndjson", "parquet:./pq", "arrow:./ar", "duckdb:./v.duckdb", pg]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    const first = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(first.code, first.stderr).toBe(0)
    const firstLines = lines(readNdjson(join(dir, "v.ndjson")))
    expect(firstLines).toEqual(truth("20240201", "20240210"))

    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const expected = truth("20240201", "20240210")
    // The second fetch changes records, not only adds them: a video of the first fetch has other counts now.
    const firstById = new Map(firstLines.map((line) => [line.split(" ")[0], line]))
    expect(expected.filter((line) => firstById.has(line.split(" ")[0]) && firstById.get(line.split(" ")[0]) !== line).length).toBeGreaterThan(0)
    const second = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/2 provisional day\(s\) replaced: \d+ rows → \d+ \(2024-02-09, 2024-02-10\)/)

    expect(lines(readNdjson(join(dir, "v.ndjson")))).toEqual(expected)
    expect(lines(await query(":memory:", `SELECT id, like_count, view_count FROM read_parquet('${join(dir, "pq")}/**/*.parquet')`))).toEqual(expected)
    const [ids, likes, views] = ["id", "like_count", "view_count"].map((column) => readArrowColumn(join(dir, "ar"), column))
    expect(lines(ids.map((id, i) => ({ id, like_count: likes[i], view_count: views[i] })))).toEqual(expected)
    expect(lines(await query(join(dir, "v.duckdb"), "SELECT id, like_count, view_count FROM videos"))).toEqual(expected)
    const pgRows = server.psql("select id || ' ' || coalesce(like_count::text, 'null') || ' ' || coalesce(view_count::text, 'null') from refetch.videos", server.database)
    expect(pgRows.split("\n").filter((line) => line !== "").sort()).toEqual(expected)
  })
})
