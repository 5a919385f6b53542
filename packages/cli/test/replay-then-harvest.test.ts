import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { parquetIds, partEpochs, QUERY, runsJson, sorted, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

/**
 * An output rebuilt by `tikflow replay` and then extended by the harvest it replayed: the harvest
 * resumes at its own last epoch, and every sink drops this harvest's rows of later epochs. The
 * replay numbers its epochs as the harvest committed them, so none of its rows lies after that.
 */
const { fixture, clock, harvest } = useHistorySandbox()

/** No API: a port nothing listens on, and no credentials at all. */
const noApi = { TIKFLOW_BASE_URL: "http://127.0.0.1:9", TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined }
const outs = ["parquet:./pq", "duckdb:./v.duckdb"]
/** A video a day or so, a page per day: several pages to commit in epochs of different sizes. */
const daily = (from: string, to: string) => [...videos(from, to, ...outs), "--window-days", "1"]
const replay = (dir: string, ...args: Array<string>) =>
  runCli(["replay", ...outs.flatMap((out) => ["--out", out]), ...args], { cwd: dir, env: noApi })
const duckdbIds = async (dir: string) => sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM videos")).map((row) => row.id))
const duckdbEpochs = async (dir: string) =>
  (await query(join(dir, "v.duckdb"), "SELECT DISTINCT epoch FROM _tikflow_checkpoints")).map((row) => Number(row.epoch))

describe("replay, then the harvest extended into the replayed outputs", () => {
  // The replay committing more epochs than the harvest (a smaller --commit-every): its rows of
  // epochs past the harvest's last would be dropped by the extension's resume; fewer epochs: its
  // DuckDB checkpoint would lie below the extension's floor (refused, though nothing is missing).
  for (const [name, replayEvery] of [["more epochs", "1"], ["fewer epochs", "100000"]] as const) {
    it(`a replay that would commit ${name} than the harvest: the extension keeps every replayed row and fetches only the new days`,
      { timeout: 240_000 }, async () => {
        clock.now = Date.now()
        const dir = tempDir()
        const first = await harvest([...daily("2024-01-01", "2024-01-10"), "--commit-every", "3"], dir)
        expect(first.code, first.stderr).toBe(0)
        const firstDays = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-10"))
        const harvestEpochs = [...new Set(partEpochs(join(dir, "pq")))].sort((a, b) => a - b)
        expect(harvestEpochs.length).toBeGreaterThan(2)

        const replayed = await replay(dir, "--commit-every", replayEvery)
        expect(replayed.code, replayed.stderr).toBe(0)
        expect(await parquetIds(join(dir, "pq"))).toEqual(firstDays)
        expect(await duckdbIds(dir)).toEqual(firstDays)
        // The harvest's epochs, part for part.
        expect([...new Set(partEpochs(join(dir, "pq")))].sort((a, b) => a - b)).toEqual(harvestEpochs)

        const alone = await harvest([...videos("2024-01-11", "2024-01-20", "ndjson:./alone.ndjson"), "--window-days", "1"], tempDir())
        const extended = await harvest([...daily("2024-01-01", "2024-01-20"), "--commit-every", "3"], dir)
        expect(extended.code, extended.stderr).toBe(0)
        expect(extended.requests).toBe(alone.requests)
        const allDays = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-20"))
        expect(await parquetIds(join(dir, "pq"))).toEqual(allDays)
        expect(await duckdbIds(dir)).toEqual(allDays)
        const [listed] = await runsJson(dir) as Array<{ records: number }>
        expect(listed!.records).toBe(allDays.length)
      })
  }

  it("a harvest stopped mid-pass, replayed, then resumed: the resume continues from its checkpoint and loses no replayed row", { timeout: 240_000 }, async () => {
    clock.now = Date.now()
    const dir = tempDir()
    const stopped = await harvest([...daily("2024-01-01", "2024-01-20"), "--commit-every", "3", "--max-records", "10"], dir)
    expect(stopped.code, stopped.stderr).toBe(6)
    const replayed = await replay(dir, "--commit-every", "1")
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(Math.max(...await duckdbEpochs(dir))).toBe(Math.max(...partEpochs(join(dir, "pq"))))

    const resumed = await harvest([...daily("2024-01-01", "2024-01-20"), "--commit-every", "3"], dir)
    expect(resumed.code, resumed.stderr).toBe(0)
    const allDays = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-20"))
    expect(await parquetIds(join(dir, "pq"))).toEqual(allDays)
    expect(await duckdbIds(dir)).toEqual(allDays)
  })
})
