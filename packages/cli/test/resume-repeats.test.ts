import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
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
    const dir = tempDir()
    const result = await runCli(["videos", "--query", QUERY, "--from", FROM, "--to", TO, "--window-days", "2", "--out", "ndjson:./v.ndjson", "--json"], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code, result.stderr.slice(-1500)).toBe(0)
    const ids = readNdjson(join(dir, "v.ndjson")).map((v) => String(v.id))
    expect(ids.sort()).toEqual([...expectedVideoIds(fixture.sandbox, QUERY, FROM, TO)].sort())
    const summary = result.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as {
      type: string
      streams?: Array<{ duplicatesDropped: number }>
    }).find((event) => event.type === "summary")
    // Half the pages repeat records of earlier ones: every such repeat is a counted drop.
    expect(summary?.streams?.[0]?.duplicatesDropped).toBeGreaterThan(0)
  })
})
