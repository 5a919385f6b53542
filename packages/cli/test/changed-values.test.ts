import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { holdLockFile } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { installFakePlugin } from "./support/fake-plugin.js"
import { useFakeVideoApi } from "./support/fake-video-api.js"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { tempDir } from "./support/temp-dir.js"

const server = usePostgres()


// A loopback API whose videos hold what the binary sinks cannot store as it is: lone surrogates
// (a description cut mid-emoji; the body's `\ud800` escapes parse to one) and, for PostgreSQL,
// U+0000. Sent as JSON escapes in the body's text, as the real API's JSON would.
const pages = [
  [
    `{"id":7320000000000000001,"create_time":1704100000,"username":"u1","video_description":"cut \\ud83d","hashtag_names":["ok"]}`,
    `{"id":7320000000000000002,"create_time":1704100001,"username":"u2","video_description":"fine","hashtag_names":["x\\udc00","y"]}`
  ],
  [
    `{"id":7320000000000000003,"create_time":1704100002,"username":"u3","video_description":"\\ud800 and \\u00e9","hashtag_names":[]}`,
    `{"id":7320000000000000004,"create_time":1704100003,"username":"u4","video_description":"n\\u0000ul","hashtag_names":null}`
  ]
]

/** The API's answer for `cursor` over `of` (two records a page, the cursor counting records). */
const answer = (of: ReadonlyArray<ReadonlyArray<string>>, cursor: number) => {
  const page = cursor / 2
  return `{"data":{"videos":[${of[page]!.join(",")}],"cursor":${cursor + 2},"has_more":${page < of.length - 1},"search_id":"s1"},` +
    `"error":{"code":"ok","message":"","log_id":"L"}}`
}

type JsonLine = Record<string, unknown>

const summaryOf = (stderr: string) => jsonLines(stderr).find((line) => line.type === "summary")!

/** The values stored changed that `tikflow runs --json` lists for the (only) harvest of `dir`'s history, or of a team's. */
const changedInHistory = async (dir: string, coordinator?: string): Promise<number> => {
  const listed = await runCli(["runs", "--json", ...(coordinator === undefined ? [] : ["--coordinator", coordinator])], { cwd: dir })
  const [harvest] = JSON.parse(listed.stdout) as Array<{ changedValues: number }>
  return harvest!.changedValues
}
const jsonLines = (text: string): Array<JsonLine> =>
  text.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as JsonLine)

const surrogates = (sink: string, description: number, hashtags: number) => ({
  sink,
  changes: [
    ...(description > 0 ? [{ column: "video_description", reason: "lone-surrogate", count: description }] : []),
    ...(hashtags > 0 ? [{ column: "hashtag_names", reason: "lone-surrogate", count: hashtags }] : [])
  ]
})

describe("values a sink stores changed", () => {
  const { env } = useFakeVideoApi((cursor) => answer(pages, cursor))
  const args = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01",
    "--out", "parquet:./parquet", "--out", "arrow:./arrow", "--out", "duckdb:./db.duckdb", "--out", "ndjson:./videos.ndjson"]

  it("lone surrogates: counted per sink and column in the text summary, exit 8; stored as U+FFFD, NDJSON keeps them", async () => {
    const dir = tempDir()
    const result = await runCli(args, { cwd: dir, env: env() })
    expect(result.code, result.stderr).toBe(8)
    const reason = "a lone UTF-16 surrogate stored as U+FFFD"
    for (const sink of ["parquet:./parquet", "arrow:./arrow", "duckdb:./db.duckdb"]) {
      expect(result.stderr).toContain(`videos           ${sink} stored 3 value(s) changed: video_description 2 (${reason}), hashtag_names 1 (${reason})`)
    }
    expect(result.stderr).not.toMatch(/ndjson\S* stored/)
    expect(result.stderr).toContain("finished, but parquet:./parquet, arrow:./arrow, duckdb:./db.duckdb stored 9 value(s) changed (see the summary)")
    // The harvest's history keeps them: runs lists the total, runs show each output's.
    expect(await changedInHistory(dir)).toBe(9)
    const [{ id }] = JSON.parse((await runCli(["runs", "--json"], { cwd: dir })).stdout) as Array<{ id: string }>
    const shown = await runCli(["runs", "show", id], { cwd: dir })
    expect(shown.stdout).toContain(`changed     parquet:./parquet stored 3 value(s) changed: video_description 2 (${reason}), hashtag_names 1 (${reason})\n` +
      `            arrow:./arrow stored 3`)

    const byId = "ORDER BY id"
    const parquet = await query(":memory:", `SELECT video_description, hashtag_names FROM read_parquet('${join(dir, "parquet")}/**/*.parquet') ${byId}`)
    const duckdb = await query(join(dir, "db.duckdb"), `SELECT video_description, hashtag_names FROM videos ${byId}`)
    const stored = [
      { video_description: "cut \ufffd", hashtag_names: ["ok"] },
      { video_description: "fine", hashtag_names: ["x\ufffd", "y"] },
      { video_description: "\ufffd and é", hashtag_names: [] },
      { video_description: "n\u0000ul", hashtag_names: null }
    ]
    expect(parquet).toEqual(stored)
    expect(duckdb).toEqual(stored)
    expect(readArrowColumn(join(dir, "arrow"), "video_description").sort()).toEqual(stored.map((row) => row.video_description).sort())
    // NDJSON escapes them: nothing changed.
    expect(readNdjson(join(dir, "videos.ndjson")).map((row) => row.video_description)).toEqual(["cut \ud83d", "fine", "\ud800 and é", "n\u0000ul"])

    // Replayed from the archive into a new output: the same changes, said the same way.
    const replay = await runCli(["replay", "--out", "parquet:./rebuilt", "--out", "ndjson:./rebuilt.ndjson"], { cwd: dir, env: env() })
    expect(replay.code, replay.stderr).toBe(8)
    expect(replay.stdout).toContain(`videos: parquet:./rebuilt stored 3 value(s) changed: video_description 2 (${reason}), hashtag_names 1 (${reason})`)
    expect(replay.stdout).not.toMatch(/ndjson\S* stored/)
  })

  it("--log-format json: the summary lists them (changed, changedValues) and each commit's values-changed event", async () => {
    const dir = tempDir()
    const result = await runCli([...args, "--log-format", "json"], { cwd: dir, env: env() })
    expect(result.code, result.stderr).toBe(8)
    const lines = jsonLines(result.stderr)
    const summary = lines.find((line) => line.type === "summary")!
    expect(summary).toMatchObject({ exitCode: 8, changedValues: 9 })
    expect((summary.changed as Array<JsonLine>).map(({ harvestId: _, ...entry }) => entry)).toEqual(
      ["parquet:./parquet", "arrow:./arrow", "duckdb:./db.duckdb"].map((sink) => ({ stream: "videos", ...surrogates(sink, 2, 1) }))
    )
    const events = lines.filter((line) => line.type === "progress" && (line.event as JsonLine).type === "values-changed")
    expect(events.length).toBeGreaterThanOrEqual(3)
  })

  it("stopped at --max-records after the first page, then continued: each committed page's changes counted once over the two runs", async () => {
    const dir = tempDir()
    const first = await runCli([...args, "--max-records", "2", "--log-format", "json"], { cwd: dir, env: env() })
    expect(first.code, first.stderr).toBe(6)
    expect(await changedInHistory(dir)).toBe(6)
    const firstSummary = jsonLines(first.stderr).find((line) => line.type === "summary")!
    expect((firstSummary.changed as Array<JsonLine>).map(({ harvestId: _, stream: __, ...entry }) => entry)).toEqual(
      ["parquet:./parquet", "arrow:./arrow", "duckdb:./db.duckdb"].map((sink) => surrogates(sink, 1, 1))
    )
    const second = await runCli([...args, "--log-format", "json"], { cwd: dir, env: env() })
    expect(second.code, second.stderr).toBe(8)
    const summary = jsonLines(second.stderr).find((line) => line.type === "summary")!
    // The first run's page 1 (from the run's saved state) and this run's page 2, each once; in the
    // history too (the command's counts set whole, not added again).
    expect(summary).toMatchObject({ changedValues: 9 })
    expect(await changedInHistory(dir)).toBe(9)
    expect((summary.changed as Array<JsonLine>).map(({ harvestId: _, stream: __, ...entry }) => entry)).toEqual(
      ["parquet:./parquet", "arrow:./arrow", "duckdb:./db.duckdb"].map((sink) => surrogates(sink, 2, 1))
    )
  })

  describe("a store older than the run's checkpoint: what its sinks deliver again is counted once", () => {
    // A third page: the run can be stopped after each of three epochs.
    const threePages = [...pages, [`{"id":7320000000000000005,"create_time":1704100004,"username":"u5","video_description":"end \\udfff","hashtag_names":[]}`]]
    const api = useFakeVideoApi((cursor) => answer(threePages, cursor))
    const outputs = ["--out", "parquet:./parquet", "--out", "duckdb:./db.duckdb"]
    const argv = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01", ...outputs, "--commit-every", "2", "--log-format", "json"]
    /** Runs the command, stopped after `pages` more pages when given (exit 6), else to its end (exit 8). */
    const harvest = async (dir: string, pages?: number) => {
      const result = await runCli([...argv, ...(pages === undefined ? [] : ["--max-records", String(pages * 2)])], { cwd: dir, env: api.env() })
      expect(result.code, result.stderr).toBe(pages === undefined ? 8 : 6)
      return result
    }
    /** Every page once, in both outputs: pages 1 and 2 as above, page 3 one description more. */
    const everyPageOnce = ["parquet:./parquet", "duckdb:./db.duckdb"].map((sink) => surrogates(sink, 3, 1))
    const summarized = (result: { stderr: string }) =>
      (summaryOf(result.stderr).changed as Array<JsonLine>).map(({ sink, changes }) => ({ sink, changes }))
    const duckdbFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith("db.duckdb"))

    it("its store lost (the DuckDB file deleted after the first epoch): the harvest starts over in every output, each page counted once", async () => {
      const dir = tempDir()
      await harvest(dir, 1)
      for (const name of duckdbFiles(dir)) rmSync(join(dir, name))
      const resumed = await harvest(dir)
      expect(summarized(resumed)).toEqual(everyPageOnce)
      expect(await changedInHistory(dir)).toBe(8)
      expect(await query(join(dir, "db.duckdb"), "SELECT count(*)::INT AS n FROM videos")).toEqual([{ n: 5 }])
    })

    it("an older copy restored (the DuckDB file of epoch 1 after epoch 2 was counted): the run resumes at 1, page 2 counted once", async () => {
      const dir = tempDir()
      await harvest(dir, 1)
      mkdirSync(join(dir, "epoch-1"))
      for (const name of duckdbFiles(dir)) copyFileSync(join(dir, name), join(dir, "epoch-1", name))
      await harvest(dir, 1)
      for (const name of duckdbFiles(dir)) rmSync(join(dir, name))
      for (const name of readdirSync(join(dir, "epoch-1"))) copyFileSync(join(dir, "epoch-1", name), join(dir, name))
      const resumed = await harvest(dir)
      expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch 2/)
      expect(summarized(resumed)).toEqual(everyPageOnce)
      expect(await changedInHistory(dir)).toBe(8)
      expect(await query(join(dir, "db.duckdb"), "SELECT count(*)::INT AS n FROM videos")).toEqual([{ n: 5 }])
    })
  })

  describe("PostgreSQL", () => {
    it("lone surrogates and a NUL (stored escaped, in _tikflow_nul_fields) are counted, exit 8", async () => {
      const dir = tempDir()
      const uri = server.uri({ query: "schema=changed" })
      const result = await runCli(["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01", "--out", uri, "--log-format", "json"], {
        cwd: dir,
        env: env()
      })
      expect(result.code, result.stderr).toBe(8)
      const summary = jsonLines(result.stderr).find((line) => line.type === "summary")!
      expect(summary).toMatchObject({ changedValues: 4 })
      const [entry] = summary.changed as Array<{ changes: Array<JsonLine> }>
      expect(entry!.changes).toEqual(expect.arrayContaining([
        { column: "video_description", reason: "lone-surrogate", count: 2 },
        { column: "video_description", reason: "nul-escaped", count: 1 },
        { column: "hashtag_names", reason: "lone-surrogate", count: 1 }
      ]))
      expect(entry!.changes).toHaveLength(3)
      const rows = server.psql("select video_description || '|' || coalesce(array_to_string(_tikflow_nul_fields, ','), '') from changed.videos order by id", server.database)
      expect(rows.split("\n").filter((line: string) => line !== "")).toEqual(["cut \ufffd|", "fine|", "\ufffd and é|", "n\\0ul|video_description"])
      expect(await changedInHistory(dir)).toBe(4)
    })

    it("with a coordinator: the team's history (PostgreSQL) records them", async () => {
      const dir = tempDir()
      const coordinator = server.uri({ query: "schema=team_changed" })
      const result = await runCli(["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01",
        "--out", server.uri({ query: "schema=team_out" }), "--coordinator", coordinator, "--log-format", "json"], { cwd: dir, env: env() })
      expect(result.code, result.stderr).toBe(8)
      expect(summaryOf(result.stderr)).toMatchObject({ changedValues: 4 })
      expect(await changedInHistory(tempDir(), coordinator)).toBe(4)
    })
  })

  describe("a SIGKILL around a checkpoint: each committed page's changes counted once by the resumed run", () => {
    // The answer for one cursor (the first page's unless said) waits until the test is ready for the kill.
    let release: () => void = () => {}
    let asked: () => void = () => {}
    let gate = Promise.resolve()
    let firstAsked = Promise.resolve()
    let gatedCursor = 0
    const arm = (cursor = 0) => {
      gatedCursor = cursor
      gate = new Promise((resolve) => (release = resolve))
      firstAsked = new Promise((resolve) => (asked = resolve))
    }
    const gated = useFakeVideoApi(async (cursor) => {
      if (cursor === gatedCursor) {
        asked()
        await gate
      }
      return answer(pages, cursor)
    })
    const harvest = (outputs: ReadonlyArray<string>) => ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01",
      ...outputs.flatMap((uri) => ["--out", uri]), "--commit-every", "2", "--log-format", "json"]
    const stateFiles = (dir: string, sub: string) =>
      existsSync(join(dir, ".tikflow", sub)) ? readdirSync(join(dir, ".tikflow", sub)).filter((name) => name.endsWith(".json")) : []
    const savedEpoch = (dir: string): number => {
      const [file] = stateFiles(dir, "checkpoints")
      return file === undefined ? 0 : (JSON.parse(readFileSync(join(dir, ".tikflow", "checkpoints", file), "utf8")) as { epoch: number }).epoch
    }

    /**
     * Kills the run after the first page's checkpoint is saved and before the CLI records anything
     * else: the history update that follows the save waits on the history's lock, which the test holds.
     */
    const killedAfterFirstCheckpoint = async (dir: string, outputs: ReadonlyArray<string>) => {
      arm()
      const child = spawnCli(harvest(outputs), { cwd: dir, env: gated.env() })
      const done = collect(child)
      await firstAsked
      const [history] = stateFiles(dir, "history")
      const lock = await holdLockFile(join(dir, ".tikflow", "history", `${history}.lock`))
      if (!("release" in lock)) throw new Error("the history's lock is held")
      release()
      while (savedEpoch(dir) < 1) await new Promise((resolve) => setTimeout(resolve, 5))
      child.kill("SIGKILL")
      expect((await done).signal).toBe("SIGKILL")
      await lock.release()
    }

    it.each([
      { name: "Parquet and DuckDB (its checkpoint in its data's transaction)", outputs: ["parquet:./parquet", "duckdb:./db.duckdb"], nul: false },
      { name: "PostgreSQL (its checkpoint in the epoch's transaction)", outputs: [], nul: true }
    ])("$name: killed right after the checkpoint's save", async ({ outputs, nul }) => {
      const dir = tempDir()
      const uri = nul ? [server.uri({ query: "schema=killed" })] : outputs
      await killedAfterFirstCheckpoint(dir, uri)
      // Killed before its history took the first page: the next command that reads the history
      // (runs here) settles the dead run, its changes through its last checkpoint with it.
      expect(await changedInHistory(dir)).toBe(nul ? 2 : 4)
      const resumed = await runCli(harvest(uri), { cwd: dir, env: gated.env() })
      expect(resumed.code, resumed.stderr).toBe(8)
      expect(resumed.stderr).toMatch(/resuming harvest videos-[0-9a-f]+ from epoch 1/)
      const changed = summaryOf(resumed.stderr).changed as Array<{ sink: string; changes: Array<JsonLine> }>
      // The history's too, once: the resumed attempt sets its command's counts whole.
      expect(await changedInHistory(dir)).toBe(nul ? 4 : 6)
      // The killed run's page 1 (held before its flush, committed) and the resumed run's page 2.
      if (!nul) expect(changed.map(({ sink, changes }) => ({ sink, changes }))).toEqual(outputs.map((sink) => surrogates(sink, 2, 1)))
      else {
        expect(changed).toHaveLength(1)
        expect(changed[0]!.changes).toEqual(expect.arrayContaining([
          { column: "video_description", reason: "lone-surrogate", count: 2 },
          { column: "video_description", reason: "nul-escaped", count: 1 },
          { column: "hashtag_names", reason: "lone-surrogate", count: 1 }
        ]))
        expect(changed[0]!.changes).toHaveLength(3)
      }
    })

    it("killed during the flush (held, never committed): the page is delivered again and counted once", async () => {
      const dir = tempDir()
      installFakePlugin(dir, "held", { holdFlush: "then-flush" })
      const outputs = ["parquet:./parquet", "held:./held.jsonl?label=x"]
      arm()
      release()
      const child = spawnCli(harvest(outputs), { cwd: dir, env: gated.env() })
      const done = collect(child)
      await waitForOutput(child, /held: flush held/)
      child.kill("SIGKILL")
      expect((await done).signal).toBe("SIGKILL")
      const held = JSON.parse(readFileSync(join(dir, ".tikflow", "runs", readdirSync(join(dir, ".tikflow", "runs")).find((name) => !name.endsWith(".json"))!, "changed-values.json"), "utf8")) as { held: Array<{ epoch: number }> }
      expect(held.held.map((entry) => entry.epoch)).toEqual([1])
      installFakePlugin(dir, "held")
      const resumed = await runCli(harvest(outputs), { cwd: dir, env: gated.env() })
      expect(resumed.code, resumed.stderr).toBe(8)
      const changed = summaryOf(resumed.stderr).changed as Array<{ sink: string; changes: Array<JsonLine> }>
      expect(changed.map(({ sink, changes }) => ({ sink, changes }))).toEqual([surrogates("parquet:./parquet", 2, 1)])
    })

    it("with a coordinator: a worker killed after its item's first checkpoint; each worker's summary counts the page it committed, the team's history both once", async () => {
      const dir = tempDir()
      const coordinator = server.uri({ query: "schema=team_taken" })
      const argv = [...harvest([server.uri({ query: "schema=team_taken_out" })]), "--coordinator", coordinator]
      const workerDir = (name: string) => {
        mkdirSync(join(dir, name), { recursive: true })
        return join(dir, name)
      }
      const checkpointed = () => {
        try {
          return server.psql("select count(*) from team_taken._tikflow_work_items where checkpoint is not null", server.database).trim() === "1"
        } catch {
          return false
        }
      }
      // The second page waits: the worker has committed the first and holds the item when it is killed.
      arm(2)
      const first = spawnCli(argv, { cwd: workerDir("a"), env: gated.env() })
      const done = collect(first)
      await firstAsked
      while (!checkpointed()) await new Promise((resolve) => setTimeout(resolve, 20))
      first.kill("SIGKILL")
      expect((await done).signal).toBe("SIGKILL")
      // As a kill right after the row's save leaves the run state: the page held, its count not saved yet.
      const runs = join(dir, "a", ".tikflow", "runs")
      const saved = join(runs, readdirSync(runs).find((name) => !name.endsWith(".json"))!, "changed-values.json")
      const { sinks, held, ...file } = JSON.parse(readFileSync(saved, "utf8")) as { sinks: Array<JsonLine>; held: Array<JsonLine> }
      writeFileSync(saved, JSON.stringify({ ...file, sinks: [], held: [...held, ...sinks] }))
      release()
      // Another worker (another state directory) takes the item over from its checkpoint on the queue:
      // its summary counts the second page, which it committed; the first is the killed worker's.
      const taken = await runCli(argv, { cwd: workerDir("b"), env: gated.env() })
      expect(taken.code, taken.stderr).toBe(8)
      const changesOf = (result: { stderr: string }) => (summaryOf(result.stderr).changed as Array<{ changes: Array<JsonLine> }>).flatMap((entry) => entry.changes)
      expect(changesOf(taken)).toEqual(expect.arrayContaining([
        { column: "video_description", reason: "lone-surrogate", count: 1 },
        { column: "video_description", reason: "nul-escaped", count: 1 }
      ]))
      expect(changesOf(taken)).toHaveLength(2)
      expect(await changedInHistory(tempDir(), coordinator)).toBe(4)
      // The killed worker's command again: nothing left to do; its summary counts the first page, as
      // the item's row says it committed it (whether or not its run state counted it before the kill).
      const again = await runCli(argv, { cwd: join(dir, "a"), env: gated.env() })
      expect(again.code, again.stderr).toBe(8)
      expect(changesOf(again)).toEqual([
        { column: "video_description", reason: "lone-surrogate", count: 1 },
        { column: "hashtag_names", reason: "lone-surrogate", count: 1 }
      ])
      expect(await changedInHistory(tempDir(), coordinator)).toBe(4)
    })
  })
})
