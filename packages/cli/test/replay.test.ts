import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { gunzipSync, gzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { query } from "./support/read-outputs.js"
import { collect, runCli, spawnCli, waitForOutput } from "./support/run-cli.js"
import { refuses, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

/**
 * `tikflow replay` rebuilds sinks from the raw archive a harvest keeps by default: the same rows as
 * the harvest delivered, provenance included, with the API unreachable and no credentials.
 */
const fixture = useSandbox({ faults: { serverError: 0.05, reset: 0.03, shortPage: 0.1, emptyPage: 0.05, malformed: 0.02, repeat: 0.2 } })

/** No API: a port nothing listens on, and no credentials at all. */
const noApi = { TIKFLOW_BASE_URL: "http://127.0.0.1:9", TIKTOK_CLIENT_KEY: undefined, TIKTOK_CLIENT_SECRET: undefined }

const outs = (prefix: string) => [
  "--out", `ndjson:./${prefix}.ndjson`, "--out", `duckdb:./${prefix}.duckdb`, "--out", `parquet:./${prefix}-parquet`
]

const totalRequests = () => Object.values(fixture.sandbox.stats.requests).reduce((sum, n) => sum + n, 0)

/** Every row of a stream in the three sinks, in a stable order, as JSON text per row. */
const rowsOf = async (dir: string, prefix: string, table: string, key: string) => {
  const ndjson = readFileSync(join(dir, `${prefix}.ndjson`), "utf8").split("\n").filter((line) => line !== "").sort()
  const duck = await query(join(dir, `${prefix}.duckdb`), `SELECT * FROM ${table} ORDER BY ${key}`)
  const parquet = await query(":memory:", `SELECT * EXCLUDE (filename) FROM read_parquet('${join(dir, `${prefix}-parquet`)}/**/*.parquet', filename = true) ORDER BY ${key}`)
  const text = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((row) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? String(v) : v)))
  return { ndjson, duck: text(duck), parquet: text(parquet) }
}

describe("replay", () => {
  it("after a harvest killed with SIGKILL and resumed: rebuilds NDJSON, DuckDB and Parquet equal to it, provenance included, with the API unreachable", async () => {
    const dir = tempDir()
    const argv = [
      "videos", "--query", "region_code IN (US, GB, CA, DE, FR, JP)", "--from", "2024-01-01", "--to", "2024-02-20", "--window-days", "3",
      ...outs("harvest"), "--commit-every", "10", "--log-format", "json"
    ]
    const child = spawnCli(argv, { cwd: dir, env: fixture.env({ TIKFLOW_RATE: "12" }) })
    const killed = collect(child)
    await waitForOutput(child, /"type":"checkpoint"[^\n]*"epoch":3\b/)
    child.kill("SIGKILL")
    expect((await killed).signal).toBe("SIGKILL")
    const resumed = await runCli(argv, { cwd: dir, env: fixture.env() })
    expect(resumed.code, resumed.stderr).toBe(0)

    const before = totalRequests()
    const replayed = await runCli(["replay", ...outs("replay"), "--log-format", "json"], { cwd: dir, env: noApi })
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(totalRequests()).toBe(before)
    const summary = JSON.parse(replayed.stdout.trim().split("\n").at(-1)!) as { requests: number; harvests: Array<{ records: number }> }
    expect(summary.requests).toBe(0)

    const original = await rowsOf(dir, "harvest", "videos", "id")
    const rebuilt = await rowsOf(dir, "replay", "videos", "id")
    expect(original.ndjson.length).toBeGreaterThan(100)
    expect(summary.harvests[0]!.records).toBe(original.ndjson.length)
    expect(rebuilt.ndjson).toEqual(original.ndjson)
    expect(rebuilt.duck).toEqual(original.duck)
    expect(rebuilt.parquet).toEqual(original.parquet)
    // Provenance: every row names its harvest, when its response arrived and its log id.
    const [row] = await query(join(dir, "replay.duckdb"), "SELECT count(DISTINCT _harvest_id)::INT harvests, count(_log_id)::INT with_log_id, count(*)::INT n, min(_fetched_at) AS first_fetched FROM videos")
    expect(row).toMatchObject({ harvests: 1, with_log_id: original.ndjson.length, n: original.ndjson.length })
    expect(Number.isNaN(Date.parse(String(row!.first_fetched)))).toBe(false)

    // Replaying again into the same outputs replaces that harvest's rows: still equal.
    expect((await runCli(["replay", ...outs("replay")], { cwd: dir, env: noApi })).code).toBe(0)
    expect(await rowsOf(dir, "replay", "videos", "id")).toEqual(rebuilt)

    // The archive embeds each page's body as is (format 2); the same archive as an older tikflow
    // wrote it (format 1: each body a JSON string) replays to the same rows.
    const archive = join(dir, ".tikflow", "archive")
    const [file] = readdirSync(archive).filter((name) => name.endsWith(".ndjson.gz"))
    const lines = gunzipSync(readFileSync(join(archive, file!))).toString("utf8").trimEnd().split("\n")
    expect(lines.every((line) => line.startsWith('{"v":2,'))).toBe(true)
    const format1 = lines.map((line) => {
      const { v: _v, body_bytes: _bytes, body: _body, ...head } = JSON.parse(line) as Record<string, unknown>
      return JSON.stringify({ ...head, body: line.slice(line.indexOf(',"body":') + ',"body":'.length, -1) })
    })
    mkdirSync(join(dir, "old-archive"))
    writeFileSync(join(dir, "old-archive", file!), gzipSync(`${format1.join("\n")}\n`))
    const old = await runCli(["replay", "--archive", "old-archive", ...outs("old")], { cwd: dir, env: noApi })
    expect(old.code, old.stderr).toBe(0)
    expect(await rowsOf(dir, "old", "videos", "id")).toEqual(rebuilt)
  }, 180_000)

  it("user info with refused accounts: replay makes the same records (lookup errors included); DuckDB reads the archive itself", async () => {
    const dir = tempDir()
    const users = ["user_00001", "user_00002", "user_00003", "nobody_at_all", "user_00004"]
    expect(users.some((name) => refuses(() => fixture.sandbox.groundTruth.userInfo(name)))).toBe(true)
    const harvest = await runCli(["user-info", "--username", users.join(","), ...outs("harvest")], { cwd: dir, env: fixture.env() })
    expect(harvest.code, harvest.stderr).toBe(5)
    const replayed = await runCli(["replay", ...outs("replay")], { cwd: dir, env: noApi })
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(replayed.stdout).toMatch(/replayed users-[0-9a-f]+ \(users\): 5 archived responses → 5 records/)
    expect(await rowsOf(dir, "replay", "users", "username")).toEqual(await rowsOf(dir, "harvest", "users", "username"))

    const archive = join(dir, ".tikflow", "archive")
    const [file] = readdirSync(archive).filter((name) => name.endsWith(".ndjson.gz"))
    const lines = await query(":memory:", `SELECT status, log_id, json_extract_string(request, '$.username') AS username FROM read_json('${join(archive, file!)}', format = 'newline_delimited') ORDER BY username`)
    expect(lines.map((line) => line.username)).toEqual([...users].sort())
    expect(lines.filter((line) => Number(line.status) !== 200).length).toBe(users.filter((name) => refuses(() => fixture.sandbox.groundTruth.userInfo(name))).length)
    expect(lines.every((line) => typeof line.log_id === "string")).toBe(true)
  }, 120_000)

  it("--no-archive keeps none; a pipeline file's archive: names the directory; replay says what is missing in one line", async () => {
    const dir = tempDir()
    const videos = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-10", "--out", "ndjson:./v.ndjson"]
    expect((await runCli([...videos, "--no-archive"], { cwd: dir, env: fixture.env() })).code).toBe(0)
    expect(existsSync(join(dir, ".tikflow", "archive"))).toBe(false)

    writeFileSync(join(dir, "p.yaml"), [
      "archive: ./kept",
      "jobs:",
      "  - source: { endpoint: videos, query: region_code = FR, from: 2024-01-01, to: 2024-01-10 }",
      "    sinks: [ndjson:./p.ndjson]"
    ].join("\n"))
    expect((await runCli(["run", "p.yaml"], { cwd: dir, env: fixture.env() })).code).toBe(0)
    expect(readdirSync(join(dir, "kept")).some((name) => /^videos-[0-9a-f]+\.ndjson\.gz$/.test(name))).toBe(true)
    const replayed = await runCli(["replay", "--archive", "./kept", "--out", "ndjson:./r.ndjson"], { cwd: dir, env: noApi })
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(readFileSync(join(dir, "r.ndjson"), "utf8")).toBe(readFileSync(join(dir, "p.ndjson"), "utf8"))

    const unknown = await runCli(["replay", "--archive", "./kept", "--harvest", "videos-0000000000000000", "--out", "ndjson:./x.ndjson"], { cwd: dir, env: noApi })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1)
    expect(unknown.stderr).toMatch(/--harvest: no archive of videos-0000000000000000 in .*kept \(it holds videos-[0-9a-f]+\)/)
    const missing = await runCli(["replay", "--archive", "./nowhere", "--out", "ndjson:./x.ndjson"], { cwd: dir, env: noApi })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--archive: no archive directory at .*nowhere/)
    expect((await runCli(["videos", "--archive", "a", "--no-archive", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-02", "--out", "ndjson:-"], { cwd: dir, env: fixture.env() })).stderr)
      .toMatch(/--no-archive: turns the archive off, but --archive is given too/)
  }, 120_000)
})
