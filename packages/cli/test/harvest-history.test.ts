import { readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readNdjson } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// No faults: a harvest's request count is then a function of what it fetches, so two harvests of
// the same days can be compared request for request. The clock is the test's, for the data lag.
let now = Date.now()
const fixture = useSandbox({ faults: {}, dataLagHours: 48, clock: () => now })
const QUERY = "region_code IN (US, CA)"
const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

/** Research requests the sandbox answered so far (tokens excluded). */
const researchRequests = (): number =>
  Object.entries(fixture.sandbox.stats.requests).reduce((sum, [endpoint, n]) => (endpoint === "oauth/token" ? sum : sum + n), 0)

/** Runs the CLI and returns its result with the research requests it sent. */
const harvest = async (args: ReadonlyArray<string>, dir: string, env: Record<string, string> = {}) => {
  const before = researchRequests()
  const result = await runCli(args, { cwd: dir, env: fixture.env({ ...env, TIKFLOW_CLOCK_OFFSET_MS: String(now - Date.now()) }) })
  return { ...result, requests: researchRequests() - before }
}

const videos = (from: string, to: string, ...outs: Array<string>) =>
  ["videos", "--query", QUERY, "--from", from, "--to", to, ...outs.flatMap((out) => ["--out", out])]

const parquetIds = async (dir: string) =>
  sorted((await query(":memory:", `SELECT id FROM read_parquet('${dir}/**/*.parquet')`)).map((row) => row.id))

const runsJson = async (dir: string, ...args: Array<string>) => {
  const result = await runCli(["runs", ...args, "--json"], { cwd: dir })
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as unknown
}

describe("harvest history", () => {
  it("re-running a finished command sends no request: already complete, exit 0, in text and JSON", async () => {
    now = Date.now()
    const dir = tempDir()
    const args = videos("2024-01-01", "2024-01-20", "ndjson:./v.ndjson")
    const first = await harvest(args, dir)
    expect(first.code, first.stderr).toBe(0)
    expect(first.requests).toBeGreaterThan(0)
    const expected = expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-20").size

    const again = await harvest(args, dir)
    expect(again.code, again.stderr).toBe(0)
    expect(again.requests).toBe(0)
    expect(again.stderr).toMatch(new RegExp(`already complete: ${expected} records, harvested \\d{4}-\\d\\d-\\d\\d; --fresh to harvest again`))
    expect(readNdjson(join(dir, "v.ndjson"))).toHaveLength(expected)

    const json = await harvest([...args, "--json"], dir)
    expect(json.code).toBe(0)
    expect(json.requests).toBe(0)
    const events = json.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(events.find((event) => event.event === "already-complete")).toMatchObject({ records: expected })
    expect(events.find((event) => event.type === "summary")).toMatchObject({ requests: 0, alreadyComplete: [{ records: expected }] })

    // The list and one harvest in full.
    const listed = await runsJson(dir) as Array<Record<string, unknown>>
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({
      endpoint: "videos",
      query: QUERY,
      coverage: { days: 20, ranges: [["2024-01-01", "2024-01-20"]], provisional: [] },
      records: expected,
      requests: first.requests,
      status: "complete"
    })
    const id = String(listed[0].id)
    const text = await runCli(["runs"], { cwd: dir })
    expect(text.stdout).toMatch(new RegExp(`${id}\\s+videos\\s+region_code IN \\(US, CA\\)\\s+2024-01-01\\.\\.2024-01-20\\s+${expected}\\s+${first.requests}\\s+complete`))
    const shown = await runsJson(dir, "show", id.slice(0, 12)) as { runs: Array<Record<string, unknown>>; coverage: { days: Record<string, { records: number }> } }
    expect(shown.runs).toHaveLength(1)
    expect(shown.runs[0]).toMatchObject({ status: "complete", records: expected, requests: first.requests, tikflowVersion: expect.any(String) })
    expect(Object.values(shown.coverage.days).reduce((sum, day) => sum + day.records, 0)).toBe(expected)
    expect((await runCli(["runs", "show", id], { cwd: dir })).stdout).toContain("2024-01-20")
    const unknown = await runCli(["runs", "show", "nope"], { cwd: dir })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no harvest "nope"/)
  })

  it("a later --to fetches only the new days; every sink then equals one harvest of the whole range", async () => {
    now = Date.now()
    const dir = tempDir()
    const outs = ["ndjson:./v.ndjson", "parquet:./pq", "duckdb:./v.duckdb"]
    expect((await harvest(videos("2024-01-01", "2024-01-20", ...outs), dir)).code).toBe(0)
    const firstEpochs = partEpochs(join(dir, "pq"))

    // --dry-run shows the same plan: only the new days' window.
    const dry = await harvest([...videos("2024-01-01", "2024-02-10", ...outs), "--dry-run", "--json"], dir)
    expect(dry.requests).toBe(0)
    const planned = (JSON.parse(dry.stdout) as { jobs: Array<{ requests: Array<{ body: string }> }> }).jobs[0].requests
    expect(planned.map((request) => /"start_date":"(\d+)","end_date":"(\d+)"/.exec(request.body)?.slice(1))).toEqual([["20240121", "20240210"]])
    const extended = await harvest(videos("2024-01-01", "2024-02-10", ...outs), dir)
    expect(extended.code, extended.stderr).toBe(0)
    expect(extended.stderr).toMatch(/fetching 21 day\(s\) not covered yet or provisional \(2024-01-21\.\.2024-02-10\) after epoch \d+/)
    // Exactly the requests of a harvest of the new days alone.
    const alone = await harvest(videos("2024-01-21", "2024-02-10", "ndjson:./alone.ndjson"), tempDir())
    expect(extended.requests).toBe(alone.requests)

    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-02-10"))
    expect(sorted(readNdjson(join(dir, "v.ndjson")).map((video) => video.id))).toEqual(expected)
    expect(await parquetIds(join(dir, "pq"))).toEqual(expected)
    expect(sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM videos")).map((row) => row.id))).toEqual(expected)
    // Epochs went on from the first run's: no part was replaced or discarded.
    const secondEpochs = partEpochs(join(dir, "pq")).filter((epoch) => !firstEpochs.includes(epoch))
    expect(Math.min(...secondEpochs)).toBeGreaterThan(Math.max(...firstEpochs))
  })

  it("a longer id list fetches only the new items", async () => {
    now = Date.now()
    const dir = tempDir()
    const ids = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-05")).slice(0, 6)
    writeFileSync(join(dir, "ids.txt"), ids.slice(0, 3).join("\n"))
    const comments = ["comments", "--video-ids-from", "ids.txt", "--out", "duckdb:./c.duckdb"]
    expect((await harvest(comments, dir)).code).toBe(0)
    writeFileSync(join(dir, "ids.txt"), ids.join("\n"))
    const more = await harvest(comments, dir)
    expect(more.code, more.stderr).toBe(0)
    expect(more.stderr).toMatch(/fetching 3 item\(s\) not covered yet/)
    const elsewhere = tempDir()
    writeFileSync(join(elsewhere, "new.txt"), ids.slice(3).join("\n"))
    const alone = await harvest(["comments", "--video-ids-from", "new.txt", "--out", "duckdb:./c.duckdb"], elsewhere)
    expect(alone.code, alone.stderr).toBe(0)
    expect(more.requests).toBe(alone.requests)
    const expected = sorted(ids.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)))
    expect(sorted((await query(join(dir, "c.duckdb"), "SELECT id FROM comments")).map((row) => row.id))).toEqual(expected)
    expect((await harvest(comments, dir)).requests).toBe(0)
  })

  it("days ending less than 48 h before the run are provisional and fetched again by the next run", async () => {
    const dir = tempDir()
    const outs = ["ndjson:./v.ndjson", "duckdb:./v.duckdb"]
    now = Date.parse("2024-02-11T12:00:00Z")
    const first = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(first.code, first.stderr).toBe(0)
    const [listed] = await runsJson(dir) as Array<{ id: string; coverage: { provisional: Array<string> } }>
    expect(listed.coverage.provisional).toEqual(["2024-02-09", "2024-02-10"])
    const early = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-10"))

    // Ten days later the API has every video of those days.
    now = Date.parse("2024-02-21T12:00:00Z")
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-10"))
    expect(expected.length).toBeGreaterThan(early.length) // the lag hid some the first time
    const second = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/fetching 2 provisional day\(s\) again \(2024-02-09, 2024-02-10\)/)
    const alone = await harvest(videos("2024-02-09", "2024-02-10", "ndjson:./alone.ndjson"), tempDir())
    expect(second.requests).toBe(alone.requests)
    // DuckDB: one row per video; NDJSON: the re-fetched days' videos a second time, as the notice says.
    expect(sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM videos")).map((row) => row.id))).toEqual(expected)
    const lines = readNdjson(join(dir, "v.ndjson")).map((video) => String(video.id))
    expect(sorted(new Set(lines))).toEqual(expected)
    const refetched = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-02-09", "2024-02-10"))
    expect(lines.length).toBe(early.length + refetched.length)

    const shown = await runsJson(dir, "show", listed.id) as { coverage: { days: Record<string, { provisional: boolean; records: number }> }; records: number }
    expect(Object.values(shown.coverage.days).every((day) => !day.provisional)).toBe(true)
    expect(shown.records).toBe(expected.length)
    expect((await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)).requests).toBe(0)
  })
})

/** The epochs of the Parquet part files under `dir`. */
const partEpochs = (dir: string): Array<number> => {
  const epochs: Array<number> = []
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name))
      else {
        const match = /-e(\d{10})-/.exec(entry.name)
        if (match) epochs.push(Number(match[1]))
      }
    }
  }
  walk(dir)
  return epochs
}
