import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { runCli, spawnCli } from "./support/run-cli.js"
import { expectedVideoIds, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox()
const QUERY = "region_code IN (US, CA)"
const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

const server = usePostgres()

/** One value per line, through the server's own psql (the CLI package does not depend on a client). */
const column = (sql: string): Array<string> => server.psql(sql, server.database).split("\n").filter((line) => line !== "")

/** Every file under `dir`, read as text: nothing tikflow writes may hold the password. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter((f) => statSync(f).isFile())

const videosArgs = (uri: string) => ["videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-02-29", "--window-days", "10", "--out", uri]

describe("tikflow … --out postgres://", () => {
  it("videos: the table holds exactly the ground truth; the password appears in no output or file", async () => {
    const dir = tempDir()
    const uri = server.uri({ query: "schema=cli" })
    const result = await runCli([...videosArgs(uri), "--log-format", "json"], { cwd: dir, env: fixture.env() })
    expect(result.code, result.stderr).toBe(0)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-02-29"))
    expect(expected.length).toBeGreaterThan(50)
    expect(sorted(column("select id from cli.videos"))).toEqual(expected)
    expect(result.stdout + result.stderr).not.toContain(server.password)
    for (const file of filesUnder(dir)) expect(readFileSync(file, "utf8"), file).not.toContain(server.password)
  })

  it("a wrong password and a missing database: exit 1 with one line each, no password shown", async () => {
    const dir = tempDir()
    const wrong = await runCli(videosArgs(server.uri().replace(`:${server.password}@`, ":Wr0ng-pass@")), { cwd: dir, env: fixture.env() })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr.trim().split("\n").at(-1)).toMatch(/^tikflow: .*password authentication failed for user "tikflow"/)
    expect(wrong.stderr).not.toMatch(/Wr0ng-pass/)
    const missing = await runCli(videosArgs(server.uri({ db: "nodb" })), { cwd: dir, env: fixture.env() })
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim().split("\n").at(-1)).toMatch(/^tikflow: .*database "nodb" does not exist/)
    expect(missing.stderr).not.toContain(server.password)
  })

  it("the password in PGPASSWORD: a failed run's output, JSON events included, never holds it and names the server once", async () => {
    const dir = tempDir()
    const result = await runCli([...videosArgs("postgres://?schema=pw"), "--json"], { cwd: dir, env: fixture.env({ ...server.env(), PGDATABASE: "nodb" }) })
    expect(result.code).toBe(1)
    expect(result.stderr + result.stdout).not.toContain(server.password)
    const failure = result.stderr.trim().split("\n").at(-1)!
    expect(failure).toMatch(/database \\?"nodb\\?" does not exist/)
    expect(failure.match(/127\.0\.0\.1:\d+\//g)).toHaveLength(1)
    for (const file of filesUnder(dir)) expect(readFileSync(file, "utf8"), file).not.toContain(server.password)
  })

  it("a server that goes away mid-run: exit 1 in one line; the same command afterwards completes the ground truth", async () => {
    const dir = tempDir()
    const uri = server.uri({ query: "schema=gone" })
    const args = [...videosArgs(uri), "--commit-every", "10", "--concurrency", "1"]
    const child = spawnCli(args, { cwd: dir, env: fixture.env({ TIKFLOW_RATE: "2" }) })
    let stderr = ""
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    // Wait for a first committed epoch, then take the server away.
    let committed = 0
    while (committed === 0) {
      await new Promise((r) => setTimeout(r, 100))
      committed = column("select count(*) from pg_tables where schemaname = 'gone' and tablename = 'videos'")[0] === "0"
        ? 0
        : Number(column("select count(*) from gone.videos")[0])
    }
    server.stop()
    let code: number | null
    try {
      code = await exited
    } finally {
      server.start()
    }
    expect(code, stderr).toBe(1)
    // The server named once (the session named it again after the sink's name).
    expect(stderr.trim().split("\n").at(-1)).toMatch(/^tikflow: sink postgres:\/\/127\.0\.0\.1:\d+\/tikflow: (write|flush) failed: (?!postgres:).*; the checkpoint is kept/)
    expect(stderr).not.toContain(server.password)
    const again = await runCli(args, { cwd: dir, env: fixture.env() })
    expect(again.code, again.stderr).toBe(0)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-02-29"))
    expect(sorted(column("select id from gone.videos"))).toEqual(expected)
  })
})
