import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { type CliResult, collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, mildFaults, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

// The API repeats records of earlier pages on later ones (the sandbox's `repeat` fault, on half
// the pages here). A resumed run must not deliver again what the interrupted run committed: the
// first pages after a resume carry such repeats in every window that was in progress.
const fixture = useSandbox({
  seed: 21,
  world: { users: 60, videos: 6_000, startDate: "2024-01-01", days: 30 },
  faults: { ...mildFaults, repeat: 0.5 }
})
const QUERY = "region_code IN (US, GB, CA, DE, FR, JP)"
const FROM = "2024-01-02"
const TO = "2024-01-13"

const outputs = {
  ndjson: { uri: "ndjson:./out/videos.ndjson", ids: (dir: string) => readNdjson(join(dir, "out", "videos.ndjson")).map((v) => v.id) },
  parquet: {
    uri: "parquet:./out/parquet",
    ids: async (dir: string) => (await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "out", "parquet")}/**/*.parquet')`)).map((r) => r.id)
  },
  arrow: { uri: "arrow:./out/arrow", ids: (dir: string) => readArrowColumn(join(dir, "out", "arrow"), "id") }
} as const

const argsFor = (uri: string) => [
  "videos", "--query", QUERY, "--from", FROM, "--to", TO, "--window-days", "2",
  "--out", uri, "--commit-every", "10", "--log-format", "json"
]

describe("resume with the API repeating records", () => {
  for (const [sink, output] of Object.entries(outputs)) {
    for (const signal of ["SIGINT", "SIGKILL"] as const) {
      it(`${sink}, ${signal} then resume: every record exactly once`, async () => {
        const dir = tempDir()
        const argv = argsFor(output.uri)
        // Slow (so it can be stopped mid-way) until a few epochs are committed, then stopped.
        const child = spawnCli(argv, { cwd: dir, env: fixture.env({ TIKFLOW_RATE: "10" }) })
        const first = collect(child)
        await waitForOutput(child, /"type":"checkpoint"[^\n]*"epoch":3\b/)
        child.kill(signal)
        const stopped = await first
        if (signal === "SIGINT") expect(stopped.code).toBe(130)
        else expect(stopped.signal).toBe("SIGKILL")

        const resumed = await collect(spawnCli(argv, { cwd: dir, env: fixture.env() }))
        expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch [1-9]/)
        expect(resumed.code, resumed.stderr.slice(-1500)).toBe(0)

        const expected = [...expectedVideoIds(fixture.sandbox, QUERY, FROM, TO)].sort()
        const ids = (await output.ids(dir)).map(String)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.sort()).toEqual(expected)
      })
    }
  }
})

describe("repeats with the dedupe stage", () => {
  it("the dedupe stage drops the API's repeats and counts them in the summary (the source does not drop them unseen)", async () => {
    // Every page after a window's first repeats a record here: at half the pages, this run's nine or
    // so such pages (their faults drawn in an order the windows' timing sets) got no repeat about
    // once in 500 runs (0.5⁹), and then a count of 0 proved nothing.
    fixture.sandbox.setFaults({ serverError: 0, reset: 0, shortPage: 0, emptyPage: 0, malformed: 0, repeat: 1 })
    const repeatsBefore = fixture.sandbox.stats.faults.repeat
    const dir = tempDir()
    let result: CliResult
    try {
      result = await runCli(["videos", "--query", QUERY, "--from", FROM, "--to", TO, "--window-days", "2", "--out", "ndjson:./v.ndjson", "--json"], {
        cwd: dir,
        env: fixture.env()
      })
    } finally {
      fixture.sandbox.setFaults({ ...mildFaults, repeat: 0.5 })
    }
    expect(result.code, result.stderr.slice(-1500)).toBe(0)
    const ids = readNdjson(join(dir, "v.ndjson")).map((v) => String(v.id))
    expect(ids.sort()).toEqual([...expectedVideoIds(fixture.sandbox, QUERY, FROM, TO)].sort())
    const summary = result.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as {
      type: string
      streams?: Array<{ duplicatesDropped: number }>
    }).find((event) => event.type === "summary")
    // Every repeat the API sent is a counted drop.
    const repeats = fixture.sandbox.stats.faults.repeat - repeatsBefore
    expect(repeats).toBeGreaterThan(0)
    expect(summary?.streams?.[0]?.duplicatesDropped).toBe(repeats)
  })
})
