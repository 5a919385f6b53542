import { rm } from "node:fs/promises"
import { join, relative, resolve } from "node:path"
import { ExitCode } from "../exit-codes.js"
import type { RunSpec } from "../harvest/job-spec.js"
import { formatDuration } from "../progress/format-progress.js"
import type { Command } from "./command.js"
import { makeDirectory } from "@tikflow/core/internal"

/** The demo's world: small enough to harvest in seconds, big enough for several windows. */
const world = { users: 200, videos: 3000, startDate: "2024-01-01", days: 90 }
/** Mild faults, so the run shows retries being survived. */
const faults = { serverError: 0.03, rateLimitNoRetryAfter: 0.02, reset: 0.01, shortPage: 0.05 }

export const sampleQuery = `SELECT v.username,
       any_value(u.follower_count)  AS followers,
       count(DISTINCT v.id)         AS videos,
       count(c.id)                  AS comments
FROM videos v
LEFT JOIN users u    ON u.username = v.username
LEFT JOIN comments c ON c.video_id = v.id
GROUP BY v.username
ORDER BY comments DESC, v.username
LIMIT 5`

const demoSpec = (duckdb: string, parquet: string): RunSpec => {
  const sinks = [
    { uri: `duckdb:${duckdb}`, options: {}, field: "demo sinks[0]" },
    { uri: `parquet:${parquet}`, options: {}, field: "demo sinks[1]" }
  ]
  const dedupe = [{ kind: "dedupe", keep: "first" }] as const
  return {
    label: "demo",
    jobs: [
      {
        name: "videos",
        source: { endpoint: "videos", query: "region_code = CA", from: "2024-01-01", to: "2024-02-29", windowDays: 15, fields: undefined, random: false },
        transforms: dedupe,
        sinks
      },
      { name: "comments", source: { endpoint: "comments", videoIds: { kind: "job", job: "videos", field: "video_id" } }, transforms: dedupe, sinks },
      { name: "authors", source: { endpoint: "user-info", usernames: { kind: "job", job: "videos", field: "username" } }, transforms: dedupe, sinks }
    ]
  }
}

const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string => {
  const cells = [columns, ...rows.map((row) => row.map((value) => (value === null ? "NULL" : String(value))))]
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  const line = (row: ReadonlyArray<string>) => "  " + row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()
  return [line(cells[0]), "  " + widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n")
}

export const demoCommand: Command = {
  name: "demo",
  summary: "start a sandbox in-process and harvest videos, their comments and authors into DuckDB + Parquet",
  usage: "[--dir DIR]",
  details: [
    "Starts the embedded sandbox (with mild faults, to show retries), harvests two months of videos",
    "(several query windows), then their comments and their authors' user info into",
    "DIR/research.duckdb and DIR/parquet/, prints a summary and runs a sample SQL query.",
    "A re-run replaces the demo's own outputs in DIR (default ./tikflow-demo). Needs no credentials.",
    "Its world has private accounts on purpose: their lookups are counted and kept (exit 0, not 5)."
  ].join("\n"),
  options: {
    dir: { type: "string", value: "DIR", description: "where the demo writes (default ./tikflow-demo)" }
  },
  examples: [{ description: "the quick start", command: "tikflow demo" }],
  async run(input) {
    const { output, settings } = input
    const dir = resolve((input.values.dir as string | undefined) ?? "tikflow-demo")
    const duckdb = join(dir, "research.duckdb")
    const parquet = join(dir, "parquet")
    const [{ backoff }, { startSandbox }, { harvest }, { queryDuckDb }] = await Promise.all([
      import("@tikflow/core/internal"),
      import("@tikflow/sandbox"),
      import("../harvest/run-harvest.js"),
      import("../inputs/duckdb-query.js")
    ])
    // Only the demo's own outputs are removed, never anything else in DIR.
    for (const own of [duckdb, `${duckdb}.wal`, parquet, join(dir, "state")]) await rm(own, { recursive: true, force: true })
    await makeDirectory(dir)
    const sandbox = await startSandbox({ seed: 7, world, faults })
    try {
      output.notice(`sandbox running at ${sandbox.url}; harvesting into ${relative(process.cwd(), dir) || "."}/`)
      const result = await harvest(demoSpec(duckdb, parquet), {
        ...input,
        env: { ...input.env, TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey, TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret },
        settings: {
          ...settings,
          baseUrl: sandbox.url,
          credentialsFile: undefined,
          stateDir: join(dir, "state"),
          quotaLedgerPath: join(dir, "state", "quota.json"),
          fresh: true,
          rate: 100
        }
      }, { retry: { schedules: { RateLimitedError: backoff({ base: "100 millis", cap: "2 seconds", times: 8 }) } } })
      // The demo world has private accounts on purpose: refused lookups are part of what it shows.
      if (result.exitCode !== ExitCode.Done && result.exitCode !== ExitCode.ItemsRefused) return result.exitCode
      const counts = await queryDuckDb(duckdb, [
        "SELECT 'videos' AS t, count(*) FROM videos UNION ALL SELECT 'comments', count(*) FROM comments UNION ALL SELECT 'users', count(*) FROM users"
      ])
      const sample = await queryDuckDb(duckdb, [sampleQuery])
      const retries = Object.entries(result.retries)
      const retryTotal = retries.reduce((sum, [, n]) => sum + n, 0)
      output.result([
        "",
        `tikflow demo: done in ${formatDuration(result.durationMs)}`,
        ...counts.rows.map(([name, count]) => `  ${String(name).padEnd(9)} ${String(count).padStart(6)} rows`),
        `  ${result.requests} requests, ${retryTotal} retries survived${retries.length ? ` (${retries.map(([k, n]) => `${k} ${n}`).join(", ")})` : ""}`,
        ...result.refused.map((refused) => `  ${refused.items.length} of ${refused.of} authors are private or unknown accounts: users rows with lookup_error set`),
        "",
        `DuckDB:  ${relative(process.cwd(), duckdb)}   (tables videos, comments, users)`,
        `Parquet: ${relative(process.cwd(), parquet)}/`,
        "",
        "A sample query (duckdb " + relative(process.cwd(), duckdb) + "):",
        ...sampleQuery.split("\n").map((line) => "  " + line),
        "",
        table(sample.columns, sample.rows),
        "",
        "Next: tikflow sandbox (a sandbox to point your own commands at), tikflow videos --help"
      ].join("\n"))
      return ExitCode.Done
    } finally {
      await sandbox.stop()
    }
  }
}
