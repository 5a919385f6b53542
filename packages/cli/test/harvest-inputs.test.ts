import { existsSync, writeFileSync } from "node:fs"
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

    const first = await runCli([...VIDEOS, "--max-records", "30"], { cwd: dir, env: fixture.env() })
    expect(first.code, first.stderr).toBe(6)
    expect(first.stderr).toMatch(/stopped at --max-records 30 \(partial\):/)
    expect(first.stderr).toMatch(/stopped at --max-records 30: \d+ records delivered and committed \(videos at epoch \d+\); run the same command again to continue/)
    const afterFirst = readNdjson(join(dir, "v.ndjson"))
    // It stops at the end of the page that reaches 30: no fewer, and at most one page (3 days) more.
    expect(afterFirst.length).toBeGreaterThanOrEqual(30)
    expect(afterFirst.length).toBeLessThan(expected.size)
    expect(new Set(afterFirst.map((r) => String(r.id))).size).toBe(afterFirst.length)

    // Each further run continues where the last stopped, delivering at least 30 more, until done (exit 0).
    let runs = 1
    let delivered = afterFirst.length
    for (;;) {
      const next = await runCli([...VIDEOS, "--max-records", "30", "--json"], { cwd: dir, env: fixture.env() })
      runs++
      const summary = eventsOf(next.stderr).find((event) => event.type === "summary")
      const now = readNdjson(join(dir, "v.ndjson")).length
      if (next.code === 0) {
        expect(summary).toMatchObject({ status: "done", exitCode: 0 })
        break
      }
      expect(next.code, next.stderr).toBe(6)
      expect(summary).toMatchObject({ status: "max-records", exitCode: 6, stoppedAtMaxRecords: { job: "videos", stream: "videos", maxRecords: 30, records: now - delivered } })
      expect(now - delivered).toBeGreaterThanOrEqual(30)
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
  }, 120_000)

  it("is checked before anything runs", async () => {
    const result = await runCli([...VIDEOS, "--max-records", "0"], { cwd: tempDir(), env: fixture.env() })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('tikflow: --max-records: expected a whole number from 1 to 9007199254740991, got "0"')
  })
})

/** Every request the sandbox has received, token requests included. */
const allRequests = () => Object.values(fixture.sandbox.stats.requests).reduce((sum, n) => sum + n, 0)

interface DryRunJson {
  readonly type: "dry-run"
  readonly jobs: ReadonlyArray<{
    readonly job: string
    readonly harvestId?: string
    readonly resumesFromEpoch?: number | null
    readonly endpoint?: string
    readonly requests?: ReadonlyArray<{ readonly target: string; readonly body: string }>
    readonly itemsFrom?: string
  }>
  readonly minRequests: number
  readonly quota: { readonly used: number; readonly left: number; readonly limit: number }
}

describe("--dry-run", () => {
  const VIDEOS = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-02-29", "--window-days", "7", "--out", "ndjson:./v.ndjson"]

  it("prints the windows, their request bodies, the fewest requests and the quota left, and sends nothing at all", async () => {
    const dir = tempDir()
    const before = allRequests()
    const text = await runCli([...VIDEOS, "--dry-run"], { cwd: dir, env: fixture.env() })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^dry run: nothing is sent$/m)
    expect(text.stdout).toMatch(/^job videos: harvest videos-[0-9a-f]{16}: 9 windows to fetch, at least 9 requests$/m)
    expect(text.stdout).toContain("  POST /v2/research/video/query/?fields=id,create_time,")
    expect(text.stdout).toContain('  window 20240101-20240107  {"query":{"and":[{"field_name":"region_code","operation":"EQ","field_values":["US"]}]},"start_date":"20240101","end_date":"20240107","max_count":100}')
    expect(text.stdout).toMatch(/^at least 9 requests in all/m)
    expect(text.stdout).toMatch(/^quota left today: 1000 of 1000 requests \(resets \d{4}-\d{2}-\d{2}T00:00:00\.000Z; ledger /m)

    const json = await runCli([...VIDEOS, "--dry-run", "--json"], { cwd: dir, env: fixture.env() })
    expect(json.code, json.stderr).toBe(0)
    const plan = JSON.parse(json.stdout) as DryRunJson
    expect(plan.minRequests).toBe(9)
    const windows = plan.jobs[0].requests!.map((request) => JSON.parse(request.body) as { start_date: string; end_date: string })
    expect(windows.map((w) => `${w.start_date}-${w.end_date}`)).toEqual(plan.jobs[0].requests!.map((request) => request.target.replace("window ", "")))
    expect(windows[0].start_date).toBe("20240101")
    expect(windows.at(-1)!.end_date).toBe("20240229")
    expect(plan.quota).toMatchObject({ used: 0, left: 1000, limit: 1000 })

    // Not a token request, not a research request; no output written.
    expect(allRequests()).toBe(before)
    expect(existsSync(join(dir, "v.ndjson"))).toBe(false)
  })

  it("after a stop, shows only what the continuation fetches: the windows left, from their saved cursors, and the quota the stop used", async () => {
    const dir = tempDir()
    const stop = await runCli([...VIDEOS, "--max-records", "10", "--concurrency", "1"], { cwd: dir, env: fixture.env() })
    expect(stop.code, stop.stderr).toBe(6)
    const before = allRequests()
    const json = await runCli([...VIDEOS, "--concurrency", "1", "--dry-run", "--json"], { cwd: dir, env: fixture.env() })
    expect(json.code, json.stderr).toBe(0)
    expect(allRequests()).toBe(before)
    const plan = JSON.parse(json.stdout) as DryRunJson
    const [job] = plan.jobs
    expect(job.resumesFromEpoch).toBeGreaterThan(0)
    expect(plan.minRequests).toBeLessThan(9)
    expect(plan.minRequests).toBe(job.requests!.length)
    expect(job.requests![0].target).not.toBe("window 20240101-20240107")
    expect(plan.jobs[0].requests!.at(-1)!.target).toBe("window 20240226-20240229")
    expect(plan.quota.used).toBeGreaterThan(0)

    // The continuation sends what the dry run listed first: each listed window is requested.
    const resumed = await runCli([...VIDEOS, "--concurrency", "1"], { cwd: dir, env: fixture.env() })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(allRequests() - before).toBeGreaterThanOrEqual(plan.minRequests)
  })

  it("lists one request per item of a fan-out, and a pipeline file's jobs (a job reading an earlier job's output: known once it runs)", async () => {
    const dir = tempDir()
    writeFileSync(join(dir, "users.txt"), "user_00001\nuser_00002\nuser_00003\n")
    writeFileSync(join(dir, "p.yaml"), [
      "sinks: [ndjson:./out.ndjson]",
      "jobs:",
      "  - name: videos",
      "    source: { endpoint: videos, query: region_code = US, from: 2024-01-01, to: 2024-01-10 }",
      "  - name: comments",
      "    source: { endpoint: comments, video_ids_from: videos }",
      "  - name: followers",
      "    source: { endpoint: followers, usernames_from: users.txt }",
      ""
    ].join("\n"))
    const before = allRequests()
    const result = await runCli(["run", "p.yaml", "--dry-run", "--json"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    expect(allRequests()).toBe(before)
    const plan = JSON.parse(result.stdout) as DryRunJson
    expect(plan.jobs.map((job) => job.job)).toEqual(["videos", "comments", "followers"])
    expect(plan.jobs[0].requests).toHaveLength(1)
    expect(plan.jobs[1]).toEqual({ job: "comments", itemsFrom: "videos" })
    expect(plan.jobs[2].endpoint).toBe("/v2/research/user/followers/")
    expect(plan.jobs[2].requests).toEqual(["user_00001", "user_00002", "user_00003"].map((username) => ({
      target: `user ${username}`,
      body: JSON.stringify({ username, max_count: 100 })
    })))
    expect(plan.minRequests).toBe(4)
    const text = await runCli(["run", "p.yaml", "--dry-run"], { cwd: dir, env: fixture.env() })
    expect(text.stdout).toContain("job comments: its items are what job videos delivers (known once it runs): at least one request each")
    expect(allRequests()).toBe(before)
    expect(existsSync(join(dir, "out.ndjson"))).toBe(false)
  })
})
