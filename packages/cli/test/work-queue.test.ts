import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { PostgresWorkQueue } from "@tikflow/sinks/internal"
import { describe, expect, it } from "vitest"
import { type CliResult, runCli } from "./support/run-cli.js"
import { expectedVideoIds, holdsNul } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"
import { column, fixture, killMidItem, QUERY, researchRequests, server, sorted, team } from "./support/work-queue-team.js"

// Three workers with SIGKILLs over two quota days: test/reliability (work-queue-team.reliability.test.ts).
describe("a team of workers on one work queue (--coordinator postgres://, --out postgres://)", () => {
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
    // The sink (its name, without user) or the coordinator (user@host) names the server, once.
    expect(errors[0]).toMatch(/^tikflow: .*postgres:\/\/(tikflow@)?127\.0\.0\.1:\d+\/tikflow.*; the checkpoint is kept, run the same command again to resume$/)
    expect(errors[0]!.match(/127\.0\.0\.1:\d+\//g)).toHaveLength(1)
    expect(result.stderr).not.toContain(server.password)
    const again = await runCli(args, { cwd: join(dir, "gone-worker-0"), env: fixture.env({ XDG_STATE_HOME: join(dir, "gone-worker-0", "state-home") }) })
    // 8 when a NUL (stored escaped, counted) fell in what this run committed.
    expect(holdsNul(fixture.sandbox, QUERY, "2024-01-01", "2024-01-12") ? [0, 8] : [0], again.stderr).toContain(again.code)
    expect(sorted(column("select id from team_gone.videos"))).toEqual(sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-01-12")))
    expect(column("select count(*) from team_gone._tikflow_work_items where status <> 'done'")).toEqual(["0"])
  })

  it("a worker killed with SIGKILL: the team's history counts every request it sent, per UTC day, once its machine's next run or `runs` settles it", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const uri = server.uri({ query: "schema=team_killed" })
    const args = ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-01-08", "--window-days", "2",
      "--out", uri, "--coordinator", uri, "--commit-every", "50", "--concurrency", "1"]
    const before = researchRequests()
    const [worker] = team(dir, "killed", 1, args, "6")
    await killMidItem("team_killed", worker!)
    expect((await worker!.done).signal).toBe("SIGKILL")
    const cwd = join(dir, "killed-worker-0")
    const env = fixture.env({ XDG_STATE_HOME: join(cwd, "state-home") })
    const runs = await runCli(["runs", "--coordinator", uri, "--json"], { cwd, env })
    expect(runs.code, runs.stderr).toBe(0)
    const [listed] = JSON.parse(runs.stdout) as Array<{ id: string; requests: number }>
    // The run's journal says a request is being sent before it leaves (so a kill never hides one the
    // API counted): a kill in between counts one the API never got. With one lane (--concurrency 1)
    // one request is in flight at a time, so the killed run's history is what the API counted or one
    // more. (Read once `runs` is done, so a request that left just before the kill has reached the sandbox.)
    const sent = researchRequests() - before
    expect(listed.requests).toBeGreaterThanOrEqual(sent)
    expect(listed.requests).toBeLessThanOrEqual(sent + 1)
    const again = await runCli(args, { cwd, env })
    // Exactly 8 where a description holds U+0000 (stored escaped): the killed worker's committed
    // items and epochs are counted (its run state, the item's checkpoint), and the team's history
    // counts each escaped value once, whichever process committed it.
    expect(again.code, again.stderr).toBe(holdsNul(fixture.sandbox, QUERY, "2024-01-01", "2024-01-08") ? 8 : 0)
    const escaped = Number(column("select count(*) from team_killed.videos where _tikflow_nul_fields is not null")[0])
    const [{ changedValues }] = JSON.parse((await runCli(["runs", "--coordinator", uri, "--json"], { cwd, env })).stdout) as Array<{ changedValues: number }>
    expect(changedValues).toBe(escaped)
    const shown = JSON.parse((await runCli(["runs", "show", listed.id, "--coordinator", uri, "--json"], { cwd, env })).stdout) as {
      records: number
      requests: Record<string, number>
      runs: Array<{ status: string; requests: number; records: number }>
    }
    // The run that completed counts exactly what the API counted of it; the killed one what `runs` listed.
    const completed = researchRequests() - before - sent
    const day = new Date().toISOString().slice(0, 10)
    expect(shown.requests).toEqual({ [day]: listed.requests + completed })
    expect(shown.runs.map((run) => [run.status, run.requests])).toEqual([["killed", listed.requests], ["complete", completed]])
    // Every record is counted by one run: the killed worker's committed epochs of the item it held
    // are in the item, which the run finishing it counts whole.
    expect(shown.records).toBe(Number(column("select count(*) from team_killed.videos")[0]))
    expect(shown.runs.reduce((sum, run) => sum + run.records, 0)).toBe(shown.records)
  })

  it("a worker killed after its item is counted in the history and before the queue marks it done: the item finished again is counted once", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const schema = "team_twice"
    const uri = server.uri({ query: `schema=${schema}` })
    const args = ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-01-04", "--window-days", "2",
      "--out", uri, "--coordinator", uri, "--commit-every", "50"]
    // The queue's tables (as a worker creates them), and a trigger holding the first `done` (the
    // worker's history update for the item is made just before it) until the test ends it.
    await (await PostgresWorkQueue.open(uri)).close()
    server.psql(
      `CREATE FUNCTION ${schema}.wait_done() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3600); RETURN NEW; END $$; ` +
        `CREATE TRIGGER wait_done BEFORE UPDATE ON ${schema}._tikflow_work_items FOR EACH ROW WHEN (NEW.status = 'done') EXECUTE FUNCTION ${schema}.wait_done()`,
      server.database
    )
    const [worker] = team(dir, "twice", 1, args, "8")
    const waiting = () => column("select pid from pg_stat_activity where wait_event = 'PgSleep' and datname = current_database()")
    while (waiting().length === 0) {
      if (worker!.child.exitCode !== null) throw new Error("the worker ended before it finished an item")
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    worker!.child.kill("SIGKILL")
    expect((await worker!.done).signal).toBe("SIGKILL")
    // Its connection's `done` never goes through.
    for (const pid of waiting()) server.psql(`select pg_terminate_backend(${pid})`, server.database)
    server.psql(`DROP TRIGGER wait_done ON ${schema}._tikflow_work_items`, server.database)
    const cwd = join(dir, "twice-worker-0")
    const env = fixture.env({ XDG_STATE_HOME: join(cwd, "state-home") })
    const again = await runCli(args, { cwd, env })
    expect(again.code, again.stderr).toBe(holdsNul(fixture.sandbox, QUERY, "2024-01-01", "2024-01-04") ? 8 : 0)
    const [listed] = JSON.parse((await runCli(["runs", "--coordinator", uri, "--json"], { cwd, env })).stdout) as Array<{ id: string }>
    const shown = JSON.parse((await runCli(["runs", "show", listed!.id, "--coordinator", uri, "--json"], { cwd, env })).stdout) as {
      records: number
      runs: Array<{ status: string; records: number }>
    }
    expect(shown.runs.map((run) => run.status)).toEqual(["killed", "complete"])
    expect(shown.records).toBe(Number(column(`select count(*) from ${schema}.videos`)[0]))
    expect(shown.runs.reduce((sum, run) => sum + run.records, 0)).toBe(shown.records)
  })

  it("a fan-out worker killed with SIGKILL: the team's history covers the items of every finished queue item, the rest once the job completes", { timeout: 180_000 }, async () => {
    const dir = tempDir()
    const uri = server.uri({ query: "schema=team_items" })
    const ids = [...expectedVideoIds(fixture.sandbox, QUERY, "2024-01-02", "2024-01-02")]
      .filter((id) => fixture.sandbox.groundTruth.comments(id).length > 0).slice(0, 40)
    expect(ids.length).toBe(40)
    const args = ["comments", "--video-id", ids.join(","), "--out", uri, "--coordinator", uri, "--commit-every", "50"]
    const [worker] = team(dir, "items", 1, args, "8")
    const pause = () => new Promise((r) => setTimeout(r, 100))
    while (column("select count(*) from pg_tables where schemaname = 'team_items' and tablename = '_tikflow_work_items'")[0] !== "1") await pause()
    while (Number(column("select count(*) from team_items._tikflow_work_items where status = 'done'")[0]) < 2 && worker!.child.exitCode === null) await pause()
    worker!.child.kill("SIGKILL")
    expect((await worker!.done).signal).toBe("SIGKILL")
    const cwd = join(dir, "items-worker-0")
    const env = fixture.env({ XDG_STATE_HOME: join(cwd, "state-home") })
    const show = async () => {
      const [listed] = JSON.parse((await runCli(["runs", "--coordinator", uri, "--json"], { cwd, env })).stdout) as Array<{ id: string }>
      return JSON.parse((await runCli(["runs", "show", listed.id, "--coordinator", uri, "--json"], { cwd, env })).stdout) as {
        coverage: { items: Record<string, unknown> }
        runs: Array<{ status: string }>
      }
    }
    const done = column("select payload from team_items._tikflow_work_items where status = 'done'")
      .flatMap((payload) => (JSON.parse(payload) as { keys: Array<string> }).keys)
    const killed = await show()
    const covered = Object.keys(killed.coverage.items)
    expect(killed.runs.map((run) => run.status)).toEqual(["killed"])
    // Every finished item's videos; at most the one item in hand is covered a moment before the queue marks it done.
    expect(covered).toEqual(expect.arrayContaining(done))
    expect(covered.length - done.length).toBeLessThanOrEqual(10)
    expect(covered.length).toBeLessThan(ids.length)
    const again = await runCli(args, { cwd, env })
    expect(again.code, again.stderr).toBe(0)
    const complete = await show()
    expect(Object.keys(complete.coverage.items).sort()).toEqual([...ids].sort())
    expect(complete.runs.map((run) => run.status)).toEqual(["killed", "complete"])
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
