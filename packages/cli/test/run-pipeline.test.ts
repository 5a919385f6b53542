import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { installFakePlugin } from "./support/fake-plugin.js"
import { query, readNdjson } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { expectedVideoIds, fanOutExitCode, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox()
const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

const chained = (query: string, from: string, to: string) => `
plugins: [./node_modules/tikflow-sink-memo/index.js]
sinks:
  - duckdb:./research.duckdb
  - uri: memo:./memo.jsonl
    options: { label: chained }
jobs:
  - name: videos
    source: { endpoint: videos, query: "${query}", from: ${from}, to: ${to}, window_days: 5 }
  - name: comments
    source: { endpoint: comments, video_ids_from: videos }
  - name: authors
    source: { endpoint: user-info, usernames_from: videos }
    transforms: []
    sinks: [ndjson:./authors.ndjson]
`

/** 5 when the API refuses any of the chain's authors (private accounts), else 0. */
const chainExitCode = async (dir: string) => {
  const authors = (await query(join(dir, "research.duckdb"), "SELECT DISTINCT username FROM videos WHERE username IS NOT NULL")).map((r) => String(r.username))
  return fanOutExitCode(authors, fixture.sandbox.groundTruth.userInfo)
}

const checkChain = async (dir: string, queryText: string, from: string, to: string) => {
  const videoIds = sorted(expectedVideoIds(fixture.sandbox, queryText, from, to))
  const db = join(dir, "research.duckdb")
  expect(sorted((await query(db, "SELECT id FROM videos")).map((r) => r.id))).toEqual(videoIds)
  const comments = videoIds.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((c) => c.id))
  expect(sorted((await query(db, "SELECT id FROM comments")).map((r) => r.id))).toEqual(sorted(comments))
  const authors = (await query(db, "SELECT DISTINCT username FROM videos WHERE username IS NOT NULL")).map((r) => r.username)
  const users = readNdjson(join(dir, "authors.ndjson")).map((r) => r.username)
  expect(sorted(users)).toEqual(sorted(authors))
  // The plugin sink got the same videos and comments, each once.
  const memo = readNdjson(join(dir, "memo.jsonl"))
  expect(sorted(memo.filter((m) => m.stream === "videos").map((m) => (m.record as { id: string }).id))).toEqual(videoIds)
  expect(memo.filter((m) => m.stream === "comments")).toHaveLength(comments.length)
}

describe("tikflow run", () => {
  it("runs jobs in sequence, later jobs reading the earlier job's videos and authors", async () => {
    const dir = tempDir()
    installFakePlugin(dir, "memo")
    const q = "region_code = GB"
    writeFileSync(join(dir, "pipeline.yaml"), chained(q, "2024-01-01", "2024-01-31"))
    const result = await runCli(["run", "pipeline.yaml"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(await chainExitCode(dir))
    expect(result.stderr).toMatch(/videos\s+\d+ records[\s\S]*comments\s+\d+ records[\s\S]*users\s+\d+ records/)
    await checkChain(dir, q, "2024-01-01", "2024-01-31")
  })

  it("killed in its second job, the same run skips the finished job and resumes the second", async () => {
    const dir = tempDir()
    installFakePlugin(dir, "memo")
    const q = "region_code IN (US, CA)"
    writeFileSync(join(dir, "pipeline.yaml"), chained(q, "2024-02-01", "2024-02-20"))
    const child = spawnCli(["run", "pipeline.yaml", "--log-format", "json", "--commit-every", "20"], {
      cwd: dir,
      env: fixture.env({ TIKFLOW_RATE: "15" })
    })
    const done = collect(child)
    await waitForOutput(child, /"type":"checkpoint","harvestId":"comments-[0-9a-f]+","epoch":2\b/)
    child.kill("SIGKILL")
    await done
    const resumed = await runCli(["run", "pipeline.yaml", "--log-format", "json", "--commit-every", "20"], { cwd: dir, env: fixture.env() })
    expect(resumed.code, resumed.stderr).toBe(await chainExitCode(dir))
    expect(resumed.stderr).toMatch(/job videos: harvest videos-[0-9a-f]+ finished in an earlier run, skipped/)
    expect(resumed.stderr).toMatch(/resuming harvest comments-[0-9a-f]+ from epoch \d+/)
    await checkChain(dir, q, "2024-02-01", "2024-02-20")
  })

  it("a finished run is complete: running it again sends no request, says so and exits 0", async () => {
    const dir = tempDir()
    writeFileSync(join(dir, "p.json"), JSON.stringify({
      jobs: [{ name: "users", source: { endpoint: "user-info", usernames: ["user_00001", "user_00002"] }, sinks: ["duckdb:./u.duckdb"] }]
    }))
    const code = fanOutExitCode(["user_00001", "user_00002"], fixture.sandbox.groundTruth.userInfo)
    expect((await runCli(["run", "p.json"], { cwd: dir, env: fixture.env() })).code).toBe(code)
    const sent = () => fixture.sandbox.stats.requests["user/info"]
    const before = sent()
    const again = await runCli(["run", "p.json"], { cwd: dir, env: fixture.env() })
    expect(again.code, again.stderr).toBe(0)
    expect(sent()).toBe(before)
    expect(again.stderr).toMatch(/already complete: 2 records, harvested \d{4}-\d\d-\d\d; --fresh to harvest again/)
    expect((await query(join(dir, "u.duckdb"), "SELECT count(*)::INTEGER AS n FROM users"))[0].n).toBe(2)
    // --fresh harvests again, into the same rows.
    const fresh = await runCli(["run", "p.json", "--fresh"], { cwd: dir, env: fixture.env() })
    expect(fresh.code).toBe(code)
    expect(sent()).toBeGreaterThanOrEqual(before + 2)
    expect((await query(join(dir, "u.duckdb"), "SELECT count(*)::INTEGER AS n FROM users"))[0].n).toBe(2)
  })

  it("a join transform adds each video's author info, stored by every sink (JSON text in DuckDB and Parquet)", async () => {
    const dir = tempDir()
    writeFileSync(join(dir, "join.yaml"), [
      "jobs:",
      "  - name: videos",
      "    source: { endpoint: videos, query: region_code = JP, from: 2024-01-01, to: 2024-01-31 }",
      "    transforms: [dedupe, { join: { endpoint: user-info, on: username, as: author, miss: keep } }]",
      "    sinks: [ndjson:./videos_with_authors.ndjson, duckdb:./research.duckdb, parquet:./parquet]",
      ""
    ].join("\n"))
    const result = await runCli(["run", "join.yaml"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    const videos = readNdjson(join(dir, "videos_with_authors.ndjson"))
    expect(sorted(videos.map((v) => v.id))).toEqual(sorted(expectedVideoIds(fixture.sandbox, "region_code = JP", "2024-01-01", "2024-01-31")))
    for (const video of videos) {
      const author = video.author as { username: string; lookup_error: string | null; follower_count: number | null }
      expect(author.username).toBe(video.username)
      let truth: Record<string, unknown> | undefined
      try {
        truth = fixture.sandbox.groundTruth.userInfo(String(video.username))
      } catch {
        truth = undefined
      }
      if (truth === undefined) expect(author.lookup_error).not.toBeNull()
      else expect(author.follower_count).toBe(truth.follower_count ?? null)
    }
    // The same authors in DuckDB and Parquet, as the CLI's library pipeline stores them.
    const want = new Map(videos.map((v) => [String(v.id), JSON.stringify(v.author)]))
    const fromDuckdb = await query(join(dir, "research.duckdb"), "SELECT id, author FROM videos")
    const fromParquet = await query(":memory:", `SELECT id, author FROM read_parquet('${join(dir, "parquet")}/**/*.parquet')`)
    for (const rows of [fromDuckdb, fromParquet]) {
      expect(rows).toHaveLength(videos.length)
      for (const row of rows) expect(row.author).toBe(want.get(String(row.id)))
    }
  })
})
