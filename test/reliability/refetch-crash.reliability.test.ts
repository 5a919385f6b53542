import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCli } from "./support/cli.js"
import { bySize, mode } from "./support/mode.js"
import { ensureBuilt, lastJson, runNode, scriptPath } from "./support/run-node.js"
import { startSandbox } from "./support/sandbox.js"
import type { Sandbox } from "./support/sandbox.js"

// A daily crawl's second run fetches its two provisional days again (their videos' counts have grown,
// more videos are listed) and two new days, into NDJSON, Parquet and DuckDB; it is SIGKILLed at
// random points (delays drawn by fast-check from a fixed seed) and re-run until it completes. Every
// sink must then hold each video once with its values as of the second fetch: no earlier copy left,
// nothing lost. Short mode: 4 kills; long mode: 15 over a bigger world.
const killPoints = bySize(4, 15)
const world = bySize({ videos: 6_000, days: 60 }, { videos: 30_000, days: 60 })
const query = { and: [{ field_name: "create_date", operation: "GTE", field_values: ["20000101"] }] }
const FIRST = Date.parse("2024-02-25T12:00:00Z")
const SECOND = Date.parse("2024-02-26T18:00:00Z")

describe(`provisional days fetched again, SIGKILLed and resumed (${mode})`, () => {
  let sandbox: Sandbox
  let dir: string
  const clock = { now: FIRST }
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({
      seed: 17, world: { ...world, startDate: "2024-01-01" }, quotaPerDay: 1e9, faults: { repeat: 0.2 },
      dataLagHours: 48, growingCounts: true, clock: () => clock.now
    })
    dir = mkdtempSync(join(tmpdir(), "tikflow-refetch-"))
  })
  afterAll(async () => {
    await sandbox?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** `id like_count` of every video of 2024-01-01..2024-02-26 by the sandbox clock, in two windows of at most 30 days. */
  const truth = (): Array<string> =>
    [["20240101", "20240130"], ["20240131", "20240226"]]
      .flatMap(([start_date, end_date]) => sandbox.groundTruth.videos({ query, start_date, end_date }))
      .map((video) => `${video.id} ${video.like_count ?? null}`).sort()

  it(`${killPoints} SIGKILLs of the second run: NDJSON, Parquet and DuckDB each equal ground truth as of the second fetch`, async () => {
    const cwd = join(dir, "crawl")
    mkdirSync(cwd)
    const args = (to: string) => [
      "videos", "--query", "create_date >= 20000101", "--from", "2024-01-01", "--to", to, "--window-days", "1",
      "--out", "ndjson:./out/videos.ndjson", "--out", "parquet:./out/parquet", "--out", "duckdb:./out/harvest.duckdb",
      "--base-url", sandbox.url, "--state", "./state", "--rate", "6", "--commit-every", "20", "--daily-quota", "10000000", "--log-format", "json"
    ]
    const env = () => ({
      TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey,
      TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret,
      TIKFLOW_CLOCK_OFFSET_MS: String(clock.now - Date.now())
    })
    clock.now = FIRST
    const first = await startCli([...args("2024-02-24"), "--rate", "200"], { cwd, env: env() }).exited
    expect(first.code, first.stderr.slice(-2000)).toBe(0)

    clock.now = SECOND
    let kills = 0
    for (const delay of fc.sample(fc.integer({ min: 0, max: 1_500 }), { numRuns: killPoints, seed: 20261129 })) {
      const run = startCli(args("2024-02-26"), { cwd, env: env() })
      await run.started
      await new Promise((resolve) => setTimeout(resolve, delay))
      if (run.child.exitCode !== null) break
      run.child.kill("SIGKILL")
      if ((await run.exited).signal === "SIGKILL") kills++
    }
    const final = await startCli(args("2024-02-26"), { cwd, env: env() }).exited
    expect(final.code, final.stderr.slice(-2000)).toBe(0)
    expect(kills).toBeGreaterThan(0)

    const expected = truth()
    const ndjson = readFileSync(join(cwd, "out", "videos.ndjson"), "utf8").split("\n").filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; like_count: number | null }).map((video) => `${video.id} ${video.like_count}`).sort()
    expect(ndjson).toEqual(expected)
    const rows = lastJson<{ duckdb: Array<string>; parquet: Array<string> }>(await runNode(scriptPath("dump-rows.mjs"), {
      duckdb: join(cwd, "out", "harvest.duckdb"), table: "videos", parquetDir: join(cwd, "out", "parquet"), key: "id"
    }))
    const pairs = (list: Array<string>) => list.map((text) => JSON.parse(text) as { id: string; like_count: string | number | null })
      .map((row) => `${row.id} ${row.like_count === null ? null : Number(row.like_count)}`).sort()
    expect(pairs(rows.duckdb)).toEqual(expected)
    expect(pairs(rows.parquet)).toEqual(expected)
  })
})
