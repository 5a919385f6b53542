import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { readFileSync } from "node:fs"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { installFakePlugin } from "./support/fake-plugin.js"
import { collect, spawnCli, waitForOutput } from "./support/run-cli.js"
import { runsJson, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { holdsNul, smallWorld } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// The sandbox's counts grow while a video is within the 48 h data lag, so provisional days fetched
// again come back with other values for the same videos (and videos listed since).
// Forty videos a day, so the provisional days hold some in both fetches.
const { fixture, clock, harvest } = useHistorySandbox({ growingCounts: true, world: { ...smallWorld, videos: 3600 } })

const server = usePostgres()

const text = (value: unknown): string => (value === null || value === undefined ? "null" : String(value))
/** `id like_count view_count` per row, sorted: what must equal ground truth, one line per video. */
const lines = (rows: ReadonlyArray<Record<string, unknown>>): Array<string> =>
  rows.map((row) => `${text(row.id)} ${text(row.like_count)} ${text(row.view_count)}`).sort()

const truth = (from: string, to: string) =>
  lines(fixture.sandbox.groundTruth.videos({ query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "CA"] }] }, start_date: from, end_date: to }) as never)
/** A run into PostgreSQL that fetched these days ends 8 when one of their videos holds a NUL (stored escaped, counted), else 0. */
const doneCode = (from: string, to: string) => (holdsNul(fixture.sandbox, "region_code IN (US, CA)", from, to) ? 8 : 0)

describe("provisional days fetched again: changed records are updated, one row per video, in every sink", () => {
  it("NDJSON, Parquet (read by DuckDB), Arrow, a DuckDB file and PostgreSQL equal ground truth as of the second fetch", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const pg = server.uri({ query: "schema=refetch" })
    const outs = ["ndjson:./v.ndjson", "parquet:./pq", "arrow:./ar", "duckdb:./v.duckdb", pg]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    const first = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(first.code, first.stderr).toBe(doneCode("2024-02-01", "2024-02-10"))
    const firstLines = lines(readNdjson(join(dir, "v.ndjson")))
    expect(firstLines).toEqual(truth("20240201", "20240210"))

    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const expected = truth("20240201", "20240210")
    // The second fetch changes records, not only adds them: a video of the first fetch has other counts now.
    const firstById = new Map(firstLines.map((line) => [line.split(" ")[0], line]))
    expect(expected.filter((line) => firstById.has(line.split(" ")[0]) && firstById.get(line.split(" ")[0]) !== line).length).toBeGreaterThan(0)
    const second = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(second.code, second.stderr).toBe(doneCode("2024-02-09", "2024-02-10"))
    expect(second.stderr).toMatch(/2 provisional day\(s\) replaced: \d+ rows → \d+ \(2024-02-09, 2024-02-10\)/)

    expect(lines(readNdjson(join(dir, "v.ndjson")))).toEqual(expected)
    expect(lines(await query(":memory:", `SELECT id, like_count, view_count FROM read_parquet('${join(dir, "pq")}/**/*.parquet')`))).toEqual(expected)
    const [ids, likes, views] = ["id", "like_count", "view_count"].map((column) => readArrowColumn(join(dir, "ar"), column))
    expect(lines(ids.map((id, i) => ({ id, like_count: likes[i], view_count: views[i] })))).toEqual(expected)
    expect(lines(await query(join(dir, "v.duckdb"), "SELECT id, like_count, view_count FROM videos"))).toEqual(expected)
    const pgRows = server.psql("select id || ' ' || coalesce(like_count::text, 'null') || ' ' || coalesce(view_count::text, 'null') from refetch.videos", server.database)
    expect(pgRows.split("\n").filter((line) => line !== "").sort()).toEqual(expected)
  })
  it("a plugin sink without the replaceDays hook keeps both copies: the summary counts them (--log-format json: replaced[]), exit 7", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    installFakePlugin(dir, "keep", { contract: 2 })
    const outs = ["ndjson:./v.ndjson", "keep:./k.jsonl?label=a"]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    expect((await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)).code).toBe(0)
    const before = truth("20240209", "20240210").length
    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const second = await harvest([...videos("2024-02-01", "2024-02-10", ...outs), "--log-format", "json"], dir)
    // Exit 7: done, but an output kept earlier rows (counted in the summary).
    expect(second.code, second.stderr).toBe(7)
    const summary = second.stderr.split("\n").filter((line) => line.includes('"type":"summary"')).map((line) => JSON.parse(line) as { replaced: unknown })[0]
    expect(summary.replaced).toEqual([{
      job: "videos",
      harvestId: expect.stringMatching(/^videos-[0-9a-f]{16}$/),
      stream: "videos",
      days: ["2024-02-09", "2024-02-10"],
      rowsBefore: before,
      rowsAfter: truth("20240209", "20240210").length,
      keptCopies: [expect.stringMatching(/^keep:/)],
      kept: [{ sink: expect.stringMatching(/^keep:/), rows: before, reason: "no-hook" }]
    }])
    const expected = truth("20240201", "20240210")
    expect(lines(readNdjson(join(dir, "v.ndjson")))).toEqual(expected)
    // The plugin got the earlier rows and the new ones: the first fetch's copies of the two days stay.
    const kept = readFileSync(join(dir, "k.jsonl"), "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { record: Record<string, unknown> }).record)
    expect(kept.length).toBe(expected.length + before)
  })

  it("with a coordinator (work queue), PostgreSQL holds one row per video, updated; a file output keeps the earlier rows, counted (exit 7)", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const coordinator = server.uri({ query: "schema=refetch_team" })
    const args = [...videos("2024-02-01", "2024-02-10", coordinator, "ndjson:./v.ndjson"), "--coordinator", coordinator]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    const first = await harvest(args, dir)
    expect(first.code, first.stderr).toBe(doneCode("2024-02-01", "2024-02-10"))
    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const second = await harvest([...args, "--log-format", "json"], dir)
    expect(second.code, second.stderr).toBe(7)
    expect(second.stderr).toContain("fetching 2 provisional day(s) again (2024-02-09, 2024-02-10): with a coordinator, database outputs update those rows by key and file outputs keep the earlier rows beside the new ones")
    const rows = server.psql("select id || ' ' || coalesce(like_count::text, 'null') || ' ' || coalesce(view_count::text, 'null') from refetch_team.videos", server.database)
    const expected = truth("20240201", "20240210")
    expect(rows.split("\n").filter((line) => line !== "").sort()).toEqual(expected)
    // The NDJSON output holds every video once plus the earlier copies of the re-fetched days: the count reported.
    const keptInFile = readNdjson(join(dir, "v.ndjson")).length - expected.length
    expect(keptInFile).toBeGreaterThan(0)
    const summary = second.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((event) => event.type === "summary") as { replaced: Array<{ kept: Array<{ sink: string; rows: number; reason: string }> }> }
    expect(summary.replaced.flatMap((entry) => entry.kept)).toEqual([{ sink: "ndjson:./v.ndjson", rows: keptInFile, reason: "work-queue" }])
  })

  // SIGKILL the run fetching provisional days again: before it writes, after its first commit (the
  // replacement committed, the rest of the days not yet), after a later one; then resume it.
  for (const killAt of ["the notice", "epoch +1", "epoch +3"] as const) {
    it(`killed at ${killAt} and resumed: one row per video, equal to ground truth, nothing lost`, { timeout: 180_000 }, async () => {
      const dir = tempDir()
      const schema = `killed_${killAt.replace(/\W+/g, "_")}`
      const outs = ["ndjson:./v.ndjson", "parquet:./pq", "arrow:./ar", "duckdb:./v.duckdb", server.uri({ query: `schema=${schema}` })]
      const args = [...videos("2024-02-01", "2024-02-12", ...outs), "--window-days", "1", "--commit-every", "3", "--log-format", "json"]
      clock.now = Date.parse("2024-02-11T12:00:00Z")
      expect((await harvest([...videos("2024-02-01", "2024-02-10", ...outs), "--window-days", "1"], dir)).code).toBe(doneCode("2024-02-01", "2024-02-10"))
      const [{ id }] = await runsJson(dir) as Array<{ id: string }>
      const { lastEpoch } = await runsJson(dir, "show", id) as { lastEpoch: number }
      expect(lastEpoch).toBeGreaterThan(0)

      // A day later: 2024-02-09 and -10 again, 2024-02-11 and -12 for the first time, slowly.
      clock.now = Date.parse("2024-02-12T12:00:00Z")
      const child = spawnCli(args, { cwd: dir, env: fixture.env({ TIKFLOW_RATE: "4", TIKFLOW_CLOCK_OFFSET_MS: String(clock.now - Date.now()) }) })
      const done = collect(child)
      await waitForOutput(child, killAt === "the notice"
        ? /fetching 2 provisional day\(s\) again/
        : new RegExp(`"type":"checkpoint","harvestId":"videos-[0-9a-f]+","epoch":${lastEpoch + (killAt === "epoch +1" ? 1 : 3)}\\b`))
      child.kill("SIGKILL")
      expect((await done).signal).toBe("SIGKILL")
      const resumed = await harvest(args, dir)
      // 8 when the pass stored a NUL escaped: the killed process's committed epochs count (held in
      // the run's state before each flush) and the resumed one's, whichever process committed it.
      expect(resumed.code, resumed.stderr).toBe(doneCode("2024-02-09", "2024-02-12"))

      const expected = truth("20240201", "20240212")
      expect(lines(readNdjson(join(dir, "v.ndjson")))).toEqual(expected)
      expect(lines(await query(":memory:", `SELECT id, like_count, view_count FROM read_parquet('${join(dir, "pq")}/**/*.parquet')`))).toEqual(expected)
      const [ids, likes, views] = ["id", "like_count", "view_count"].map((column) => readArrowColumn(join(dir, "ar"), column))
      expect(lines(ids.map((id, i) => ({ id, like_count: likes[i], view_count: views[i] })))).toEqual(expected)
      expect(lines(await query(join(dir, "v.duckdb"), "SELECT id, like_count, view_count FROM videos"))).toEqual(expected)
      const pgRows = server.psql(`select id || ' ' || coalesce(like_count::text, 'null') || ' ' || coalesce(view_count::text, 'null') from ${schema}.videos`, server.database)
      expect(pgRows.split("\n").filter((line) => line !== "").sort()).toEqual(expected)
    })
  }
})
