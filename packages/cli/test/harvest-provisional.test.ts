import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { collect, spawnCli, waitForOutput } from "./support/run-cli.js"
import { parquetIds, QUERY, runsJson, sorted, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const { fixture, clock, harvest } = useHistorySandbox()

/** A harvest of March 2024 into Parquet, SIGKILLed once its second epoch is checkpointed. */
const killedAtEpoch2 = async () => {
  clock.now = Date.now()
  const dir = tempDir()
  const args = [...videos("2024-03-01", "2024-03-30", "parquet:./pq"), "--window-days", "3", "--commit-every", "10", "--log-format", "json"]
  const child = spawnCli(args, { cwd: dir, env: fixture.env({ TIKFLOW_RATE: "15" }) })
  const done = collect(child)
  await waitForOutput(child, /"type":"checkpoint","harvestId":"videos-[0-9a-f]+","epoch":2\b/)
  child.kill("SIGKILL")
  await done
  return { dir, args }
}

describe("harvest history: provisional days and killed runs", () => {
  it("days ending less than 48 h before the run are provisional and fetched again by the next run", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const outs = ["ndjson:./v.ndjson", "duckdb:./v.duckdb", "parquet:./pq", "arrow:./ar"]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    const first = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(first.code, first.stderr).toBe(0)
    const [listed] = await runsJson(dir) as Array<{ id: string; coverage: { provisional: Array<string> } }>
    expect(listed.coverage.provisional).toEqual(["2024-02-09", "2024-02-10"])
    const early = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-10"))
    const before = expectedVideoIds(fixture.sandbox, QUERY, "2024-02-09", "2024-02-10").size

    // Ten days later the API has every video of those days.
    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-10"))
    expect(expected.length).toBeGreaterThan(early.length) // the lag hid some the first time
    const second = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/fetching 2 provisional day\(s\) again \(2024-02-09, 2024-02-10\)/)
    const alone = await harvest(videos("2024-02-09", "2024-02-10", "ndjson:./alone.ndjson"), tempDir())
    expect(second.requests).toBe(alone.requests)
    // Every sink: one row per video, the re-fetched days' earlier rows replaced.
    expect(sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM videos")).map((row) => row.id))).toEqual(expected)
    expect(sorted(readNdjson(join(dir, "v.ndjson")).map((video) => String(video.id)))).toEqual(expected)
    expect(await parquetIds(join(dir, "pq"))).toEqual(expected)
    expect(sorted(readArrowColumn(join(dir, "ar"), "id"))).toEqual(expected)
    const after = expectedVideoIds(fixture.sandbox, QUERY, "2024-02-09", "2024-02-10").size
    expect(second.stderr).toContain(`2 provisional day(s) replaced: ${before.toLocaleString("en-US")} rows → ${after.toLocaleString("en-US")} (2024-02-09, 2024-02-10)`)

    const shown = await runsJson(dir, "show", listed.id) as { coverage: { days: Record<string, { provisional: boolean; records: number }> }; records: number }
    expect(Object.values(shown.coverage.days).every((day) => !day.provisional)).toBe(true)
    expect(shown.records).toBe(expected.length)
    expect((await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)).requests).toBe(0)
  })

  it("a run killed mid-harvest is resumed from its plan; the history records the killed run and the one that finished", { timeout: 180_000 }, async () => {
    const { dir, args } = await killedAtEpoch2()
    const resumed = await harvest(args, dir)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch \d+/)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-03-01", "2024-03-30"))
    expect(await parquetIds(join(dir, "pq"))).toEqual(expected)
    const [listed] = await runsJson(dir) as Array<{ id: string }>
    const shown = await runsJson(dir, "show", listed.id) as { status: string; records: number; runs: Array<{ status: string }> }
    expect(shown).toMatchObject({ status: "complete", records: expected.length })
    expect(shown.runs.map((run) => run.status)).toEqual(["killed", "complete"])
  })

  it("killed between a checkpoint's save and the history's update: the resumed run takes that epoch's counts from the checkpoint, every day's count exact", { timeout: 180_000 }, async () => {
    const { dir, args } = await killedAtEpoch2()
    // The history as such a kill leaves it: one epoch behind the checkpoint, no counts for its epoch.
    const [name] = readdirSync(join(dir, ".tikflow", "checkpoints"))
    const { epoch } = JSON.parse(readFileSync(join(dir, ".tikflow", "checkpoints", name!), "utf8")) as { epoch: number }
    const file = join(dir, ".tikflow", "history", `${name!.replace(".checkpoint.json", "")}.json`)
    const record = JSON.parse(readFileSync(file, "utf8")) as { pending: { counts: object; countsEpoch: number; previous?: { counts: object; epoch: number } } }
    const { counts, countsEpoch, previous } = record.pending
    const behind = countsEpoch === epoch - 1 ? counts : previous?.epoch === epoch - 1 ? previous.counts : {}
    record.pending = { ...record.pending, counts: behind, countsEpoch: epoch - 1, previous: undefined }
    writeFileSync(file, JSON.stringify(record))

    const resumed = await harvest(args, dir)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toMatch(new RegExp(`resuming harvest videos-[0-9a-f]+ from epoch ${epoch}\\b`))
    expect(resumed.stderr).not.toContain("restart from 0")
    const [listed] = await runsJson(dir) as Array<{ id: string }>
    const shown = await runsJson(dir, "show", listed.id) as { records: number; coverage: { days: Record<string, { records: number }> } }
    const days = Object.keys(shown.coverage.days).sort()
    expect(days).toHaveLength(30)
    expect(Object.fromEntries(days.map((day) => [day, shown.coverage.days[day]!.records])))
      .toEqual(Object.fromEntries(days.map((day) => [day, expectedVideoIds(fixture.sandbox, QUERY, day, day).size])))
    expect(shown.records).toBe(expectedVideoIds(fixture.sandbox, QUERY, "2024-03-01", "2024-03-30").size)
  })
})
