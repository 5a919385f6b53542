import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { readNdjson } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { QUERY, runsJson, useHistorySandbox, videos } from "./support/history-sandbox.js"
import { expectedVideoIds } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const { fixture, clock, harvest } = useHistorySandbox()

describe("harvest history: re-runs and tikflow runs", () => {
  it("re-running a finished command sends no request: already complete, exit 0, in text and JSON", { timeout: 180_000 }, async () => {
    clock.now = Date.now()
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
})
