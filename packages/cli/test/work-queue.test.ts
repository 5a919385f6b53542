import type { ChildProcess } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { TestPostgres } from "../../../test/postgres/postgres-server.mjs"
import { startPostgres } from "../../../test/postgres/postgres-server.mjs"
import { collect, type CliResult, runCli, spawnCli } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const DAY = 86_400_000
/** The sandbox's clock and the workers' (TIKFLOW_CLOCK_OFFSET_MS) move a day ahead together: a new quota day. */
let offset = 0
// Faults on (the fixture's mild rates); a world dense enough that a window or a chunk takes several pages.
const fixture = useSandbox({ world: { users: 80, videos: 30_000, startDate: "2024-01-01", days: 40 }, clock: () => Date.now() + offset })
const QUERY = "region_code IN (US, CA)"
const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

let server: TestPostgres
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(() => server?.destroy())

const column = (sql: string): Array<string> => server.psql(sql, server.database).split("\n").filter((line) => line !== "")
const researchRequests = () =>
  Object.entries(fixture.sandbox.stats.requests).filter(([name]) => name !== "oauth/token").reduce((sum, [, n]) => sum + n, 0)

interface Worker {
  readonly child: ChildProcess
  readonly done: Promise<CliResult>
}

/**
 * A team of `n` workers running the same command, each in its own directory with its own state
 * and machine ledger: only the coordinator connects them.
 */
const team = (dir: string, round: string, n: number, args: ReadonlyArray<string>, rate = "8"): Array<Worker> =>
  Array.from({ length: n }, (_, i) => {
    const cwd = join(dir, `${round}-worker-${i}`)
    mkdirSync(cwd, { recursive: true })
    const child = spawnCli(args, {
      cwd,
      env: fixture.env({ XDG_STATE_HOME: join(cwd, "state-home"), TIKFLOW_RATE: rate, TIKFLOW_CLOCK_OFFSET_MS: String(offset) })
    })
    return { child, done: collect(child) }
  })

/** Waits until `worker` holds an item that has a checkpoint (it is mid-item, past its first commit), then SIGKILLs it. */
const killMidItem = async (schema: string, worker: Worker): Promise<void> => {
  const pid = worker.child.pid!
  const pause = () => new Promise((r) => setTimeout(r, 100))
  while (column(`select count(*) from pg_tables where schemaname = '${schema}' and tablename = '_tikflow_work_items'`)[0] !== "1") await pause()
  for (;;) {
    if (worker.child.exitCode !== null) throw new Error(`worker ${pid} ended before it could be killed mid-item`)
    const held = column(`select count(*) from ${schema}._tikflow_work_items where owner_pid = ${pid} and status = 'pending' and checkpoint is not null`)[0]
    if (held !== "0") return void worker.child.kill("SIGKILL")
    await pause()
  }
}

/** The ledger's `used` for the day the workers see (UTC). */
const ledgerUsed = (schema: string): number => {
  const day = new Date(Date.now() + offset).toISOString().slice(0, 10)
  return Number(column(`select coalesce(sum(used), 0) from ${schema}._tikflow_quota where day = '${day}'`)[0])
}

/**
 * Two quota days of a team of three sharing one small daily budget. On day 1 two of the workers
 * are SIGKILLed mid-item and the budget runs out (the survivor exits 4, resumable); on day 2 a
 * team of three takes the killed workers' items over from their checkpoints and finishes.
 */
const harvestAsTeam = async (schema: string, args: ReadonlyArray<string>, budget: number) => {
  const dir = tempDir()
  const stderr: Array<string> = []
  for (const [round, day] of [["day1", 0], ["day2", 1]] as const) {
    offset = day * DAY
    const before = researchRequests()
    const workers = team(dir, round, 3, [...args, "--daily-quota", String(budget)])
    if (round === "day1") for (const victim of [workers[1]!, workers[2]!]) await killMidItem(schema, victim)
    const ended = await Promise.all(workers.map((w) => w.done))
    stderr.push(...ended.map((r) => r.stderr))
    // The shared ledger never lets the team past the day's budget, whoever was killed.
    expect(researchRequests() - before).toBeLessThanOrEqual(budget)
    expect(ledgerUsed(schema)).toBeLessThanOrEqual(budget)
    for (const r of ended) expect(r.stderr).not.toContain(server.password)
    if (round === "day1") {
      expect(ended.map((r) => r.signal)).toEqual([null, "SIGKILL", "SIGKILL"])
      expect(ended[0]!.code, ended[0]!.stderr).toBe(4)
    } else {
      expect(ended.map((r) => r.code), stderr.join("\n---\n")).toEqual([0, 0, 0])
    }
  }
  // Every item done; the killed workers' items were taken over from their checkpoints.
  expect(column(`select count(*) from ${schema}._tikflow_work_items where status <> 'done'`)).toEqual(["0"])
  expect(stderr.join("\n")).toMatch(/item \d+ resumes from epoch \d+, where an earlier worker stopped/)
}

describe("a team of workers on one work queue (--coordinator postgres://, --out postgres://)", () => {
  it("videos: three workers, two SIGKILLs, a small shared quota over two days: the table is the ground truth", { timeout: 180_000 }, async () => {
    const uri = server.uri({ query: "schema=team_videos" })
    const args = ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-01-24", "--window-days", "3",
      "--out", uri, "--coordinator", uri, "--commit-every", "100", "--concurrency", "1"]
    await harvestAsTeam("team_videos", args, 45)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-24"))
    expect(expected.length).toBeGreaterThan(1000)
    // One row per key by construction (primary key): the ids are exactly the ground truth's.
    expect(sorted(column("select id from team_videos.videos"))).toEqual(expected)

    // The team's history is in the coordinator: complete, every day covered, the records counted
    // exactly (a taken-over item continues its counts from its checkpoint), one run per worker.
    const dir = tempDir()
    const runs = await runCli(["runs", "--coordinator", uri, "--json"], { cwd: dir, env: fixture.env() })
    expect(runs.code, runs.stderr).toBe(0)
    const [harvest] = JSON.parse(runs.stdout) as Array<{ id: string; status: string; records: number; endpoint: string }>
    expect(harvest).toMatchObject({ endpoint: "videos", status: "complete", records: expected.length })
    const shown = await runCli(["runs", "show", harvest!.id, "--coordinator", uri, "--json"], { cwd: dir, env: fixture.env() })
    const record = JSON.parse(shown.stdout) as { coverage: { days: Record<string, unknown> }; runs: Array<unknown> }
    expect(Object.keys(record.coverage.days)).toHaveLength(24)
    expect(record.runs).toHaveLength(6)
    // The report reads the same history.
    const report = await runCli(["report", "--out", "team.html", "--coordinator", uri], { cwd: dir, env: fixture.env() })
    expect(report.code, report.stderr).toBe(0)
    expect(report.stdout).toMatch(new RegExp(`1 harvest, .* records, .* \\(from postgres://tikflow@127\\.0\\.0\\.1:${server.port}/tikflow\\?schema=team_videos\\)`))
    // Any later worker, on any machine, finds it complete and sends nothing.
    offset = 2 * DAY
    const before = researchRequests()
    const [late] = team(dir, "day3", 1, [...args, "--daily-quota", "45"])
    const again = await late!.done
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/already complete: \d+ records/)
    expect(researchRequests()).toBe(before)
  })

  it("comments: three workers, two SIGKILLs, a small shared quota over two days: the comments of 40 videos, each exactly once", { timeout: 180_000 }, async () => {
    // Videos with 1 to 150 comments: four items of ten videos, about 45 pages in all.
    const videoIds = [...expectedVideoIds(fixture.sandbox, QUERY, "2024-02-01", "2024-02-09")]
      .filter((id) => fixture.sandbox.groundTruth.comments(id).length > 0 && fixture.sandbox.groundTruth.comments(id).length <= 150)
      .slice(0, 40)
    expect(videoIds).toHaveLength(40)
    const uri = server.uri({ query: "schema=team_comments" })
    const args = ["comments", "--video-id", videoIds.join(","), "--out", uri, "--coordinator", uri, "--commit-every", "100", "--concurrency", "1"]
    await harvestAsTeam("team_comments", args, 40)
    const expected = sorted(videoIds.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)))
    expect(sorted(column("select id from team_comments.comments"))).toEqual(expected)
  })

  it("a pipeline file's coordinator: two `tikflow run` workers share its queues, the comments job reading every worker's video ids; a bad one is refused in one line", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const coordinator = server.uri({ query: "schema=team_file" })
    writeFileSync(join(dir, "team.yaml"), [
      `coordinator: ${coordinator}`,
      `sinks: [${coordinator}]`,
      "jobs:",
      "  - name: videos",
      "    source: { endpoint: videos, query: region_code = GB, from: 2024-01-05, to: 2024-01-05, window_days: 1 }",
      "  - name: comments",
      "    source: { endpoint: comments, video_ids_from: videos }"
    ].join("\n"))
    // Slow enough (3 requests/s each) that both workers take part in the comments job.
    const workers = team(dir, "file", 2, ["run", join(dir, "team.yaml")], "3")
    const ended = await Promise.all(workers.map((w) => w.done))
    expect(ended.map((r) => r.code), ended.map((r) => r.stderr).join("\n---\n")).toEqual([0, 0])
    for (const r of ended) expect(r.stderr).not.toContain(server.password)
    const videoIds = [...expectedVideoIds(fixture.sandbox, "region_code = GB", "2024-01-05", "2024-01-05")]
    expect(sorted(column("select id from team_file.videos"))).toEqual(sorted(videoIds))
    const expected = sorted(videoIds.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)))
    expect(expected.length).toBeGreaterThan(1000)
    expect(sorted(column("select id from team_file.comments"))).toEqual(expected)
    // One video item, then the comments in chunks of ten ids, every item done once, by both workers between them.
    expect(column("select count(*) || ' ' || count(distinct done_by) from team_file._tikflow_work_items where status = 'done'")).toEqual([`${1 + Math.ceil(videoIds.length / 10)} 2`])

    // Run again (any machine): both jobs are complete in the team's history, the comments job planned
    // from the ids of the videos job's last queue; nothing is sent.
    const before = researchRequests()
    const [again] = team(dir, "file-again", 1, ["run", join(dir, "team.yaml")])
    const rerun = await again!.done
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(rerun.stderr.match(/already complete/g)).toHaveLength(2)
    expect(researchRequests()).toBe(before)

    writeFileSync(join(dir, "bad.yaml"), "coordinator: mysql://u:Secret-9@h/db\njobs: [{ source: { endpoint: user-info, usernames: [a] }, sinks: [ndjson:-] }]\n")
    const bad = await runCli(["run", "bad.yaml"], { cwd: dir, env: fixture.env() })
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("tikflow: bad.yaml:1: coordinator: expected a postgres://user@host:port/database URI")
  })

  it("the coordinator goes away mid-run: exit 1 in one line without the password; the same command afterwards completes the ground truth", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const uri = server.uri({ query: "schema=team_gone" })
    const args = ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-01-12", "--window-days", "2",
      "--out", uri, "--coordinator", uri, "--commit-every", "100", "--concurrency", "1"]
    const [worker] = team(dir, "gone", 1, args, "3")
    // Once an item has a checkpoint, the server stops (immediate shutdown) under the worker.
    while (column("select count(*) from pg_tables where schemaname = 'team_gone' and tablename = '_tikflow_work_items'")[0] !== "1" ||
      column("select count(*) from team_gone._tikflow_work_items where checkpoint is not null")[0] === "0") {
      await new Promise((r) => setTimeout(r, 100))
    }
    server.stop()
    let result: CliResult
    try {
      result = await worker!.done
    } finally {
      server.start()
    }
    expect(result.code, result.stderr).toBe(1)
    // One error line (a notice may follow: the quota block could not be given back, so it counts as used).
    const errors = result.stderr.trim().split("\n").filter((line) => line.startsWith("tikflow: "))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^tikflow: .*postgres:\/\/tikflow@127\.0\.0\.1:\d+\/tikflow.*; the checkpoint is kept, run the same command again to resume$/)
    expect(result.stderr).not.toContain(server.password)
    const again = await runCli(args, { cwd: join(dir, "gone-worker-0"), env: fixture.env({ XDG_STATE_HOME: join(dir, "gone-worker-0", "state-home") }) })
    expect(again.code, again.stderr).toBe(0)
    expect(sorted(column("select id from team_gone.videos"))).toEqual(sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-12")))
    expect(column("select count(*) from team_gone._tikflow_work_items where status <> 'done'")).toEqual(["0"])
  })

  it("a coordinator database that does not exist: exit 1 in one line before any request", async () => {
    const before = researchRequests()
    const result = await runCli(["comments", "--video-id", "1", "--out", "ndjson:./c.ndjson", "--coordinator", server.uri({ db: "nodb" })], { cwd: tempDir(), env: fixture.env() })
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toMatch(/^tikflow: --coordinator: connecting to postgres:\/\/tikflow@127\.0\.0\.1:\d+\/nodb: database "nodb" does not exist \(create it, or name another database in the URI\)$/)
    expect(result.stderr).not.toContain(server.password)
    expect(researchRequests()).toBe(before)
  })
})
