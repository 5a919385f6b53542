import { readdirSync, renameSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readArrowColumn } from "./support/read-outputs.js"
import { QUERY, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds, smallWorld } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// Forty videos a day, so the provisional days hold some in the first fetch already.
const { fixture, clock, harvest } = useHistorySandbox({ world: { ...smallWorld, videos: 3600 } })

/**
 * Renames the part files of provisional days (`…-d<day>.<ext>`) under `dir` to ordinary part names,
 * as an older tikflow wrote them: their rows mixed with others, not replaceable by day. Returns how many.
 */
const asOlderOutput = (dir: string): number => {
  let renamed = 0
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name))
      else if (/-d\d{4}-\d{2}-\d{2}\.\w+$/.test(entry.name)) {
        renameSync(join(path, entry.name), join(path, entry.name.replace(/-d\d{4}-\d{2}-\d{2}(\.\w+)$/, "$1")))
        renamed++
      }
    }
  }
  walk(dir)
  return renamed
}

interface Summary {
  readonly exitCode: number
  readonly replaced: ReadonlyArray<{ keptCopies: ReadonlyArray<string>; kept: ReadonlyArray<{ sink: string; rows: number; reason: string }> }>
}
const summaryOf = (stderr: string): Summary =>
  stderr.split("\n").filter((line) => line.includes('"type":"summary"')).map((line) => JSON.parse(line) as Summary)[0]

const parquetRows = async (dir: string) => (await query(":memory:", `SELECT count(*)::INTEGER AS n FROM read_parquet('${dir}/**/*.parquet')`))[0].n as number

describe("provisional days fetched again into an output an older tikflow wrote: the earlier rows it keeps are counted", () => {
  it("Parquet and Arrow with the days' rows in ordinary parts: the summary, --json and exit 7 give the rows kept (= rows read back − ground truth)", { timeout: 180_000 }, async () => {
    const text = tempDir()
    const json = tempDir()
    const outs = ["parquet:./pq", "arrow:./ar"]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    for (const dir of [text, json]) {
      const first = await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)
      expect(first.code, first.stderr).toBe(0)
      expect(asOlderOutput(join(dir, "pq"))).toBeGreaterThan(0)
      expect(asOlderOutput(join(dir, "ar"))).toBeGreaterThan(0)
    }

    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const truth = expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-10").size
    const second = await harvest(videos("2024-02-01", "2024-02-10", ...outs), text)
    expect(second.code, second.stderr).toBe(7)
    const keptParquet = (await parquetRows(join(text, "pq"))) - truth
    const keptArrow = readArrowColumn(join(text, "ar"), "id").length - truth
    expect(keptParquet).toBeGreaterThan(0)
    expect(keptArrow).toBe(keptParquet)
    expect(second.stderr).toMatch(/2 provisional day\(s\) replaced: \d+ rows → \d+ \(2024-02-09, 2024-02-10\)/)
    expect(second.stderr).toContain(
      `parquet:./pq kept ${keptParquet.toLocaleString("en-US")} earlier row(s) of the replaced days (written by an older tikflow or outside its provisional parts)`
    )
    expect(second.stderr).toContain(`arrow:./ar kept ${keptArrow.toLocaleString("en-US")} earlier row(s) of the replaced days`)
    expect(second.stderr).toContain(`finished, but parquet:./pq, arrow:./ar kept ${(keptParquet + keptArrow).toLocaleString("en-US")} earlier row(s)`)

    const secondJson = await harvest([...videos("2024-02-01", "2024-02-10", ...outs), "--log-format", "json"], json)
    expect(secondJson.code, secondJson.stderr).toBe(7)
    const summary = summaryOf(secondJson.stderr)
    const kept = (await parquetRows(join(json, "pq"))) - truth
    expect(summary.exitCode).toBe(7)
    expect(summary.replaced).toHaveLength(1)
    expect(summary.replaced[0]).toMatchObject({
      keptCopies: ["parquet:./pq", "arrow:./ar"],
      kept: [
        { sink: "parquet:./pq", rows: kept, reason: "not-replaceable" },
        { sink: "arrow:./ar", rows: readArrowColumn(join(json, "ar"), "id").length - truth, reason: "not-replaceable" }
      ]
    })
  })

  it("DuckDB and Parquet written by this tikflow keep nothing: no kept rows reported, exit 0", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const outs = ["duckdb:./v.duckdb", "parquet:./pq"]
    clock.now = Date.parse("2024-02-11T12:00:00Z")
    expect((await harvest(videos("2024-02-01", "2024-02-10", ...outs), dir)).code).toBe(0)
    clock.now = Date.parse("2024-02-21T12:00:00Z")
    const second = await harvest([...videos("2024-02-01", "2024-02-10", ...outs), "--log-format", "json"], dir)
    expect(second.code, second.stderr).toBe(0)
    const summary = summaryOf(second.stderr)
    expect(summary.replaced).toHaveLength(1)
    expect(summary.replaced[0]).toMatchObject({ keptCopies: [], kept: [] })
    expect(second.stderr).not.toMatch(/ kept [\d,]+ earlier row/)
    const truth = expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-10").size
    expect(await parquetRows(join(dir, "pq"))).toBe(truth)
    expect((await query(join(dir, "v.duckdb"), "SELECT count(*)::INTEGER AS n FROM videos"))[0].n).toBe(truth)
  })
})
