import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startCli } from "./support/cli.js"
import { recordPart } from "./support/last-run.js"
import { bySize, mode } from "./support/mode.js"
import { ensureBuilt, lastJson, runNode, scriptPath } from "./support/run-node.js"
import { startSandbox } from "./support/sandbox.js"
import type { Sandbox } from "./support/sandbox.js"
import { windowsOf } from "./support/windows.js"

// The built CLI harvests a multi-window video query into Parquet and DuckDB; it is SIGKILLed at
// random points while harvesting and re-run with the same command (which resumes) until it
// completes. Short mode: 6 kill points; long mode: 25.
const killPoints = bySize(6, 25)
const world = bySize({ videos: 6_000, days: 60 }, { videos: 12_000, days: 120 })
const from = "2024-01-01"
const to = bySize("2024-02-29", "2024-04-29")
const windowDays = 15
const concurrency = 2
const query = { and: [{ field_name: "create_date", operation: "GTE", field_values: ["20000101"] }] }

interface Inspection {
  readonly parquet: { readonly files: number; readonly otherFiles: ReadonlyArray<string>; readonly unreadable: ReadonlyArray<string>; readonly ids: ReadonlyArray<string> }
  readonly duckdb: { readonly ids: ReadonlyArray<string> }
}

describe(`crash and resume (${mode})`, () => {
  let sandbox: Sandbox
  let dir: string
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({ seed: 99, world: { ...world, startDate: from }, quotaPerDay: 1e9 })
    dir = mkdtempSync(join(tmpdir(), "tikflow-crash-"))
  })
  afterAll(async () => {
    await sandbox?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it(`survives ${killPoints} SIGKILLs with exactly the ground truth in Parquet and DuckDB`, async () => {
    writeFileSync(join(dir, "query.json"), JSON.stringify(query))
    // The DuckDB sink does not create its file's directory (reported); the Parquet sink does.
    mkdirSync(join(dir, "out"))
    const args = [
      "videos", "--query-file", "query.json", "--from", from, "--to", to, "--window-days", String(windowDays),
      "--out", "parquet:./out/parquet", "--out", "duckdb:./out/harvest.duckdb",
      "--base-url", sandbox.url, "--state", "./state", "--rate", "10", "--concurrency", String(concurrency),
      "--commit-every", "100", "--daily-quota", "10000000", "--log-format", "json"
    ]
    const env = { TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey, TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret }
    // Kill delays after the harvest has started: random, reproducible from the seed fast-check prints.
    const delays = fc.sample(fc.integer({ min: 0, max: 900 }), { numRuns: killPoints, seed: 20261125 })

    let kills = 0
    let completedEarly = false
    for (const delay of delays) {
      const run = startCli(args, { cwd: dir, env })
      await run.started
      await new Promise((resolve) => setTimeout(resolve, delay))
      if (run.child.exitCode !== null) {
        completedEarly = true
        break
      }
      run.child.kill("SIGKILL")
      const exit = await run.exited
      if (exit.signal === "SIGKILL") kills++
      else {
        completedEarly = exit.code === 0
        break
      }
    }
    const final = startCli(args, { cwd: dir, env })
    const finalExit = await final.exited
    expect(finalExit.code, finalExit.stderr.slice(-2000)).toBe(0)

    const output = lastJson<Inspection>(await runNode(scriptPath("inspect-output.mjs"), {
      parquetDir: join(dir, "out", "parquet"),
      duckdbFile: join(dir, "out", "harvest.duckdb")
    }))
    const truth = windowsOf(from.replaceAll("-", ""), to.replaceAll("-", ""), windowDays)
      .flatMap((w) => sandbox.groundTruth.videos({ query, ...w }).map((v) => String(v.id)))
    const expected = [...truth].sort()
    const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

    expect(kills).toBe(killPoints)
    expect(completedEarly).toBe(false)
    expect(output.parquet.unreadable).toEqual([])
    expect(output.parquet.otherFiles.filter((f) => !f.endsWith(".json"))).toEqual([])
    // Equal as sorted lists: nothing lost, nothing invented, nothing twice.
    expect(sorted(output.parquet.ids)).toEqual(expected)
    expect(sorted(output.duckdb.ids)).toEqual(expected)

    // Bounded re-requests: the fewest pages the cursor allows (hidden videos count) plus, per kill,
    // at most one uncommitted page and one page in flight per window harvested at once.
    const minimum = windowsOf(from.replaceAll("-", ""), to.replaceAll("-", ""), windowDays).reduce((sum, w) => {
      const start = Date.UTC(+w.start_date.slice(0, 4), +w.start_date.slice(4, 6) - 1, +w.start_date.slice(6, 8)) / 1000
      const end = Date.UTC(+w.end_date.slice(0, 4), +w.end_date.slice(4, 6) - 1, +w.end_date.slice(6, 8)) / 1000 + 86_400
      const range = sandbox.world.videos.range(start, end)
      return sum + Math.max(1, Math.ceil((range.to - range.from) / 100))
    }, 0)
    const used = sandbox.stats.requests["video/query"]
    const extra = used - minimum
    expect(extra).toBeLessThanOrEqual(kills * 2 * concurrency)

    recordPart("crashResume", {
      title: "Crash and resume: SIGKILL during a multi-window harvest by the CLI into Parquet and DuckDB",
      lines: [
        `${kills} SIGKILLs at random points of the harvest (${mode} mode; short mode does 6, long mode 25), each followed by a resume with the same command; then a final run to completion`,
        `${expected.length} videos over ${windowsOf(from.replaceAll("-", ""), to.replaceAll("-", ""), windowDays).length} windows: Parquet (${output.parquet.files} part files, all readable, no temp files counted) and DuckDB both hold exactly the ground truth — none lost, none twice`,
        `re-requests: ${used} video-query requests vs ${minimum} minimum, ${extra} extra for ${kills} kills (bound: ${2 * concurrency} per kill)`,
        "records lost: 0"
      ],
      figures: { kills, records: expected.length, parquetFiles: output.parquet.files, requests: used, minimumRequests: minimum, extraRequests: extra, recordsLost: 0 }
    })
  })
})
