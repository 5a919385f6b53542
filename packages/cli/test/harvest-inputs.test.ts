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
