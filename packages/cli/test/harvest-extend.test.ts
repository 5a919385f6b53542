import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readNdjson } from "./support/read-outputs.js"
import { partEpochs, parquetIds, QUERY, sorted, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// Each test runs the CLI several times (a loaded machine makes that slow): a longer timeout.
const { fixture, clock, harvest } = useHistorySandbox()

describe("harvest history: extending a harvest", () => {
  it("a later --to fetches only the new days; every sink then equals one harvest of the whole range", { timeout: 180_000 }, async () => {
    clock.now = Date.now()
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

  it("a longer id list fetches only the new items", { timeout: 180_000 }, async () => {
    clock.now = Date.now()
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
})
