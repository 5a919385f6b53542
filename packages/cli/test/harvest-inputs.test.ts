import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { expectFinished, runCli } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

/**
 * How a run is asked for: relative days (`today`, `yesterday`, `-Nd`, on the CLI's clock),
 * `--max-records` and `--dry-run`, each against the sandbox.
 */
const fixture = useSandbox({ faults: {} })

/** The CLI's clock, moved into the sandbox world (2024-01-01 … 2024-03-30) so relative days land in it. */
const clockAt = (iso: string) => ({ TIKFLOW_CLOCK_OFFSET_MS: String(Date.parse(iso) - Date.now()) })
const ids = (records: ReadonlyArray<Record<string, unknown>>) => new Set(records.map((record) => String(record.id)))

describe("relative days", () => {
  it("--from -6d --to yesterday harvests the UTC days counted back from the CLI's clock", async () => {
    const dir = tempDir()
    const result = await runCli(
      ["videos", "--query", "region_code = US", "--from", "-6d", "--to", "yesterday", "--out", "ndjson:./v.ndjson"],
      { cwd: dir, env: fixture.env(clockAt("2024-01-20T23:30:00Z")) }
    )
    expectFinished(result)
    const expected = expectedVideoIds(fixture.sandbox, "region_code = US", "2024-01-14", "2024-01-19")
    expect(expected.size).toBeGreaterThan(0)
    expect(ids(readNdjson(join(dir, "v.ndjson")))).toEqual(expected)
  })

  it("a pipeline file's from: -Nd and to: today count back from the same clock", async () => {
    const dir = tempDir()
    writeFileSync(join(dir, "p.yaml"), [
      "sinks: [ndjson:./v.ndjson]",
      "jobs:",
      "  - source: { endpoint: videos, query: region_code = US, from: -3d, to: today }",
      ""
    ].join("\n"))
    const result = await runCli(["run", "p.yaml"], { cwd: dir, env: fixture.env(clockAt("2024-02-10T00:05:00Z")) })
    expectFinished(result)
    expect(ids(readNdjson(join(dir, "v.ndjson")))).toEqual(expectedVideoIds(fixture.sandbox, "region_code = US", "2024-02-07", "2024-02-10"))
  })
})

/** The JSON events a `--json` run printed on stderr. */
const eventsOf = (stderr: string): Array<Record<string, unknown>> =>
  stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)

describe("--max-records", () => {
  const VIDEOS = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-02-29", "--window-days", "3", "--out", "ndjson:./v.ndjson"]

  it("stops after N records, committed, exit 6 with a notice saying how to continue; re-runs continue until the harvest is whole", async () => {
    const dir = tempDir()
    const expected = expectedVideoIds(fixture.sandbox, "region_code = US", "2024-01-01", "2024-02-29")
    expect(expected.size).toBeGreaterThan(45)
    const requestsBefore = fixture.sandbox.stats.requests["video/query"] ?? 0

    const first = await runCli([...VIDEOS, "--max-records", "15"], { cwd: dir, env: fixture.env() })
    expect(first.code, first.stderr).toBe(6)
    expect(first.stderr).toMatch(/stopped at --max-records 15 \(partial\):/)
    expect(first.stderr).toMatch(/stopped at --max-records 15: \d+ records delivered and committed \(videos at epoch \d+\); run the same command again to continue/)
    const afterFirst = readNdjson(join(dir, "v.ndjson"))
    // It stops at the end of the page that reaches 15: no fewer, and at most one page (3 days) more.
    expect(afterFirst.length).toBeGreaterThanOrEqual(15)
    expect(afterFirst.length).toBeLessThan(expected.size)
    expect(new Set(afterFirst.map((r) => String(r.id))).size).toBe(afterFirst.length)

    // Each further run continues where the last stopped, delivering at least 15 more, until done (exit 0).
    let runs = 1
    let delivered = afterFirst.length
    for (;;) {
      const next = await runCli([...VIDEOS, "--max-records", "15", "--json"], { cwd: dir, env: fixture.env() })
      runs++
      const summary = eventsOf(next.stderr).find((event) => event.type === "summary")
      const now = readNdjson(join(dir, "v.ndjson")).length
      if (next.code === 0) {
        expect(summary).toMatchObject({ status: "done", exitCode: 0 })
        break
      }
      expect(next.code, next.stderr).toBe(6)
      expect(summary).toMatchObject({ status: "max-records", exitCode: 6, stoppedAtMaxRecords: { job: "videos", stream: "videos", maxRecords: 15, records: now - delivered } })
      expect(now - delivered).toBeGreaterThanOrEqual(15)
      delivered = now
      expect(runs).toBeLessThan(20)
    }
    const all = readNdjson(join(dir, "v.ndjson"))
    expect(all.length, "no record twice").toBe(expected.size)
    expect(ids(all)).toEqual(expected)
    // Continuing costs no more than a whole harvest plus, per stop, the requests in flight (4 windows at once).
    const requests = (fixture.sandbox.stats.requests["video/query"] ?? 0) - requestsBefore
    const windows = Math.ceil(60 / 3)
    expect(requests).toBeLessThanOrEqual(windows * 2 + (runs - 1) * 4)
  })

  it("is checked before anything runs", async () => {
    const result = await runCli([...VIDEOS, "--max-records", "0"], { cwd: tempDir(), env: fixture.env() })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('tikflow: --max-records: expected a whole number from 1 to 9007199254740991, got "0"')
  })
})
