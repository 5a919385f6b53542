import type { ChildProcess } from "node:child_process"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { expect } from "vitest"
import { usePostgres } from "../../../../test/postgres/use-postgres.mjs"
import { collect, type CliResult, spawnCli } from "./run-cli.js"
import { useSandbox } from "./sandbox.js"
import { tempDir } from "./temp-dir.js"

/**
 * A team of tikflow workers sharing one PostgreSQL coordinator, against one sandbox: what the
 * work-queue tests (default suite) and the team soak (reliability suite) run. Import it at the top
 * of a test file: it registers the file's sandbox and server hooks.
 */

/** Moves the sandbox's clock and the workers' (TIKFLOW_CLOCK_OFFSET_MS) together: a day ahead is a new quota day. */
export const clock = { offset: 0 }
export const DAY = 86_400_000
/** The sandbox's clock and the workers' (TIKFLOW_CLOCK_OFFSET_MS) move a day ahead together: a new quota day. */
// Faults on (the fixture's mild rates); a world dense enough that a window or a chunk takes several pages.
export const fixture = useSandbox({ world: { users: 80, videos: 30_000, startDate: "2024-01-01", days: 40 }, clock: () => Date.now() + clock.offset })
export const QUERY = "region_code IN (US, CA)"
export const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

export const server = usePostgres()

export const column = (sql: string): Array<string> => server.psql(sql, server.database).split("\n").filter((line) => line !== "")
export const researchRequests = () =>
  Object.entries(fixture.sandbox.stats.requests).filter(([name]) => name !== "oauth/token").reduce((sum, [, n]) => sum + n, 0)

export interface Worker {
  readonly child: ChildProcess
  readonly done: Promise<CliResult>
}

/**
 * A team of `n` workers running the same command, each in its own directory with its own state
 * and machine ledger: only the coordinator connects them.
 */
export const team = (dir: string, round: string, n: number, args: ReadonlyArray<string>, rate = "8"): Array<Worker> =>
  Array.from({ length: n }, (_, i) => {
    const cwd = join(dir, `${round}-worker-${i}`)
    mkdirSync(cwd, { recursive: true })
    const child = spawnCli(args, {
      cwd,
      env: fixture.env({ XDG_STATE_HOME: join(cwd, "state-home"), TIKFLOW_RATE: rate, TIKFLOW_CLOCK_OFFSET_MS: String(clock.offset) })
    })
    return { child, done: collect(child) }
  })

/** Waits until `worker` holds an item that has a checkpoint (it is mid-item, past its first commit), then SIGKILLs it. */
export const killMidItem = async (schema: string, worker: Worker): Promise<void> => {
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
export const ledgerUsed = (schema: string): number => {
  const day = new Date(Date.now() + clock.offset).toISOString().slice(0, 10)
  return Number(column(`select coalesce(sum(used), 0) from ${schema}._tikflow_quota where day = '${day}'`)[0])
}

/**
 * Two quota days of a team of three sharing one small daily budget. On day 1 two of the workers
 * are SIGKILLed mid-item and the budget runs out (the survivor exits 4, resumable); on day 2 a
 * team of three takes the killed workers' items over from their checkpoints and finishes, each
 * worker with one of the `finished` codes (8 as well where a worker may store values changed).
 */
export const harvestAsTeam = async (schema: string, args: ReadonlyArray<string>, budget: number, finished: ReadonlyArray<number> = [0]) => {
  const dir = tempDir()
  const stderr: Array<string> = []
  for (const [round, day] of [["day1", 0], ["day2", 1]] as const) {
    clock.offset = day * DAY
    const before = researchRequests()
    const workers = team(dir, round, 3, [...args, "--daily-quota", String(budget)])
    // Both victims watched at once: watched one after the other, the second could finish its
    // checkpointed item, take one it never checkpointed and exit on the spent budget meanwhile.
    if (round === "day1") await Promise.all([workers[1]!, workers[2]!].map((victim) => killMidItem(schema, victim)))
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
      for (const r of ended) expect(finished, stderr.join("\n---\n")).toContain(r.code)
    }
  }
  // Every item done; the killed workers' items were taken over from their checkpoints.
  expect(column(`select count(*) from ${schema}._tikflow_work_items where status <> 'done'`)).toEqual(["0"])
  expect(stderr.join("\n")).toMatch(/item \d+ resumes from epoch \d+, where an earlier worker stopped/)
}

