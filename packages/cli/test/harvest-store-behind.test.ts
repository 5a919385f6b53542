import { copyFileSync, type Dirent, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { query } from "./support/read-outputs.js"
import { parquetIds, QUERY, runsJson, sorted, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const { fixture, clock, harvest } = useHistorySandbox()

/** The DuckDB file and its write-ahead log, whichever exist. */
const duckdbFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith("v.duckdb"))
const copyDuckdb = (from: string, to: string) => {
  mkdirSync(to, { recursive: true })
  for (const name of duckdbFiles(to)) rmSync(join(to, name))
  for (const name of duckdbFiles(from)) copyFileSync(join(from, name), join(to, name))
}
const duckdbIds = async (dir: string) => sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM videos")).map((row) => row.id))
/** Every file under `dir`, relative, with its size: what a refused run must leave as it was. */
const filesOf = (dir: string) =>
  (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<Dirent>)
    .filter((entry) => entry.isFile())
    .map((entry) => { const path = join(entry.parentPath, entry.name); return `${relative(dir, path)} ${statSync(path).size}` })
    .sort()
const tokens = () => fixture.sandbox.stats.requests["oauth/token"] ?? 0

describe("harvest history: an output behind what the harvest committed", () => {
  const outs = ["parquet:./pq", "duckdb:./v.duckdb"]

  it("extending a harvest whose DuckDB file was deleted: refused before any request, Parquet keeps the earlier rows; a restored copy then works",
    { timeout: 240_000 }, async () => {
      clock.now = Date.now()
      const dir = tempDir()
      const first = await harvest(videos("2024-01-01", "2024-01-05", ...outs), dir)
      expect(first.code, first.stderr).toBe(0)
      const firstDays = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-05"))
      expect(await parquetIds(join(dir, "pq"))).toEqual(firstDays)
      const saved = join(dir, "saved")
      copyDuckdb(dir, saved)
      for (const name of duckdbFiles(dir)) rmSync(join(dir, name))

      // Starting over would delete Parquet's rows of the first days and fetch only the new ones.
      const partsBefore = filesOf(join(dir, "pq"))
      const tokensBefore = tokens()
      const refused = await harvest(videos("2024-01-01", "2024-01-10", ...outs), dir)
      expect(refused.code, refused.stderr).toBe(1)
      expect(refused.requests).toBe(0)
      expect(tokens()).toBe(tokensBefore)
      const error = refused.stderr.split("\n").filter((line) => line.includes("duckdb:./v.duckdb holds no checkpoint"))
      expect(error, refused.stderr).toHaveLength(1)
      expect(error[0]).toMatch(/harvest videos-[0-9a-f]+: duckdb:\.\/v\.duckdb holds no checkpoint of it, but the harvest committed through epoch \d+ before this pass/)
      expect(error[0]).toContain("restore duckdb:./v.duckdb")
      expect(error[0]).toContain("--fresh")
      expect(error[0]).not.toContain("run the same command again to resume")
      expect(filesOf(join(dir, "pq"))).toEqual(partsBefore)
      expect(await parquetIds(join(dir, "pq"))).toEqual(firstDays)
      // The history still covers only the first days.
      const [listed] = await runsJson(dir) as Array<{ records: number }>
      expect(listed!.records).toBe(firstDays.length)

      // Refused again while the output is behind, still without a request.
      const again = await harvest(videos("2024-01-01", "2024-01-10", ...outs), dir)
      expect(again.code, again.stderr).toBe(1)
      expect(again.requests).toBe(0)

      // The copy restored: the extension fetches only the new days, into both outputs.
      copyDuckdb(saved, dir)
      const alone = await harvest(videos("2024-01-06", "2024-01-10", "ndjson:./alone.ndjson"), tempDir())
      const restored = await harvest(videos("2024-01-01", "2024-01-10", ...outs), dir)
      expect(restored.code, restored.stderr).toBe(0)
      expect(restored.requests).toBe(alone.requests)
      const allDays = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-10"))
      expect(await parquetIds(join(dir, "pq"))).toEqual(allDays)
      expect(await duckdbIds(dir)).toEqual(allDays)
    })

  it("--fresh harvests everything again into both outputs; an older DuckDB copy of an earlier pass is refused too", { timeout: 240_000 }, async () => {
    clock.now = Date.now()
    const dir = tempDir()
    expect((await harvest(videos("2024-01-01", "2024-01-05", ...outs), dir)).code).toBe(0)
    const older = join(dir, "older")
    copyDuckdb(dir, older)
    const second = await harvest(videos("2024-01-01", "2024-01-10", ...outs), dir)
    expect(second.code, second.stderr).toBe(0)
    const tenDays = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-10"))

    // The first pass's copy: resuming there would hand this pass an older pass's state, and its
    // rows of the second pass's days would be missing.
    copyDuckdb(older, dir)
    const partsBefore = filesOf(join(dir, "pq"))
    const refused = await harvest(videos("2024-01-01", "2024-01-15", ...outs), dir)
    expect(refused.code, refused.stderr).toBe(1)
    expect(refused.requests).toBe(0)
    expect(refused.stderr).toMatch(/duckdb:\.\/v\.duckdb holds epoch (\d+) of it, but the harvest committed through epoch (\d+) before this pass/)
    const [, held, floor] = /holds epoch (\d+) of it, but the harvest committed through epoch (\d+)/.exec(refused.stderr)!
    expect(Number(held)).toBeLessThan(Number(floor))
    expect(filesOf(join(dir, "pq"))).toEqual(partsBefore)
    expect(await parquetIds(join(dir, "pq"))).toEqual(tenDays)

    const fresh = await harvest([...videos("2024-01-01", "2024-01-15", ...outs), "--fresh"], dir)
    expect(fresh.code, fresh.stderr).toBe(0)
    const all = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-15"))
    expect(await parquetIds(join(dir, "pq"))).toEqual(all)
    expect(await duckdbIds(dir)).toEqual(all)
  })

  it("a copy restored at the epoch the pass began after: the pass starts from its beginning, not from the earlier pass's state", { timeout: 240_000 }, async () => {
    clock.now = Date.now()
    const dir = tempDir()
    const ids = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-31"))
      .filter((id) => fixture.sandbox.groundTruth.comments(id).length > 0).slice(0, 6)
    expect(ids).toHaveLength(6)
    writeFileSync(join(dir, "ids.txt"), ids.slice(0, 3).join("\n"))
    const comments = ["comments", "--video-ids-from", "ids.txt", "--out", "parquet:./pq", "--out", "duckdb:./v.duckdb", "--commit-every", "1"]
    expect((await harvest(comments, dir)).code).toBe(0)
    const atFloor = join(dir, "at-floor")
    copyDuckdb(dir, atFloor)
    writeFileSync(join(dir, "ids.txt"), ids.join("\n"))
    // Stopped after the first new video's comments and one more: two commits at least.
    const stopped = await harvest([...comments, "--max-records", String(fixture.sandbox.groundTruth.comments(ids[3]!).length + 1)], dir)
    expect(stopped.code, stopped.stderr).toBe(6)

    // The copy's checkpoint is at the epoch this pass began after, with the first pass's state (its
    // list done): resumed from it, the new items would count as done with none of their comments.
    copyDuckdb(atFloor, dir)
    const resumed = await harvest(comments, dir)
    expect(resumed.code, resumed.stderr).toBe(0)
    // Its counts start from none, as the pass did: nothing to say about them.
    expect(resumed.stderr).not.toContain("has record counts")
    const expected = sorted(ids.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)))
    const [listed] = await runsJson(dir) as Array<{ records: number }>
    expect(listed!.records).toBe(expected.length)
    expect(sorted((await query(join(dir, "v.duckdb"), "SELECT id FROM comments")).map((row) => row.id))).toEqual(expected)
    expect(sorted((await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "pq")}/**/*.parquet')`)).map((row) => row.id))).toEqual(expected)
  })
})
