import { createHmac } from "node:crypto"
import { writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { GroundTruthRefusal } from "@tikflow/sandbox"
import { describe, expect, it } from "vitest"
import { installFakePlugin } from "./support/fake-plugin.js"
import { query, readArrowColumn, readNdjson } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { expectedVideoIds, fanOutExitCode, useSandbox } from "./support/sandbox.js"
import { tempDir } from "./support/temp-dir.js"

const fixture = useSandbox()
const QUERY = "region_code IN (US, CA)"
const sorted = (values: Iterable<unknown>) => [...values].map(String).sort()

describe("harvest commands against a sandbox with faults", () => {
  const dir = tempDir()

  it("videos: every sink holds exactly the ground truth of a two-month query", async () => {
    const result = await runCli([
      "videos", "--query", QUERY, "--from", "2024-01-01", "--to", "2024-02-29", "--window-days", "10",
      "--out", "ndjson:./videos.ndjson", "--out", "parquet:./parquet", "--out", "duckdb:./db/research.duckdb", "--out", "arrow:./arrow"
    ], { cwd: dir, env: fixture.env() })
    expect(result.stderr).toContain("done:")
    expect(result.code).toBe(0)
    const expected = sorted(expectedVideoIds(fixture.sandbox, QUERY, "2024-01-01", "2024-02-29"))
    expect(expected.length).toBeGreaterThan(50)
    expect(sorted(readNdjson(join(dir, "videos.ndjson")).map((video) => video.id))).toEqual(expected)
    const fromParquet = await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "parquet")}/**/*.parquet')`)
    expect(sorted(fromParquet.map((row) => row.id))).toEqual(expected)
    const fromDuckDb = await query(join(dir, "db", "research.duckdb"), "SELECT id FROM videos")
    expect(sorted(fromDuckDb.map((row) => row.id))).toEqual(expected)
    expect(sorted(readArrowColumn(join(dir, "arrow"), "id"))).toEqual(expected)
  })

  it("comments: the comments of the videos in a DuckDB table", async () => {
    const result = await runCli(["comments", "--video-ids-from", "duckdb:./db/research.duckdb#videos", "--out", "duckdb:./db/research.duckdb"], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code).toBe(0)
    const videoIds = (await query(join(dir, "db", "research.duckdb"), "SELECT id FROM videos")).map((row) => String(row.id))
    const expected = sorted(videoIds.flatMap((id) => fixture.sandbox.groundTruth.comments(id).map((comment) => comment.id)))
    const got = await query(join(dir, "db", "research.duckdb"), "SELECT id FROM comments")
    expect(sorted(got.map((row) => row.id))).toEqual(expected)
  })

  it("user-info --usernames-from a Parquet directory: the authors of the harvested videos", async () => {
    const result = await runCli(["user-info", "--usernames-from", "./parquet/videos", "--out", "ndjson:./authors.ndjson"], {
      cwd: dir,
      env: fixture.env()
    })
    const authors = new Set(readNdjson(join(dir, "videos.ndjson")).map((video) => video.username).filter((name) => name !== null))
    // Private or unknown authors are refused lookups: counted, kept with lookup_error, exit 5.
    expect(result.code, result.stderr).toBe(fanOutExitCode([...authors] as Array<string>, fixture.sandbox.groundTruth.userInfo))
    expect(sorted(readNdjson(join(dir, "authors.ndjson")).map((user) => user.username))).toEqual(sorted(authors))
  })

  it("user-info: one record per user, refused accounts included with lookup_error", async () => {
    const names = Array.from({ length: 25 }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
    const result = await runCli(["user-info", "--username", names.join(","), "--username", "user_99999", "--out", "ndjson:./users.ndjson"], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code).toBe(5) // user_99999 does not exist
    const records = readNdjson(join(dir, "users.ndjson"))
    expect(sorted(records.map((r) => r.username))).toEqual(sorted([...names, "user_99999"]))
    expect(records.find((r) => r.username === "user_99999")?.lookup_error).toEqual(expect.any(String))
    for (const name of names) {
      let refused = false
      try {
        fixture.sandbox.groundTruth.userInfo(name)
      } catch (error) {
        if (!(error instanceof GroundTruthRefusal)) throw error
        refused = true
      }
      expect(records.find((r) => r.username === name)?.lookup_error !== null).toBe(refused)
    }
  })

  it("--out ndjson:- owns stdout: records only, progress and summary on stderr", async () => {
    const result = await runCli(["user-info", "--username", "user_00010,user_00011", "--out", "ndjson:-"], { cwd: dir, env: fixture.env() })
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { username: string })
    expect(lines.map((user) => user.username).sort()).toEqual(["user_00010", "user_00011"])
    expect(result.stderr).toContain("done:")
  })

  const lists = [
    ["followers", "followers"],
    ["following", "following"],
    ["liked-videos", "likedVideos"],
    ["pinned-videos", "pinnedVideos"],
    ["reposted-videos", "repostedVideos"]
  ] as const
  it.each(lists)("%s: every listed user's list, from a usernames file", async (command, truth) => {
    const names = ["user_00002", "user_00003", "user_00005", "user_00008"]
    writeFileSync(join(dir, `${command}.txt`), `# users\n${names.join("\n")}\n\n`)
    const result = await runCli([command, "--usernames-from", `${command}.txt`, "--out", `ndjson:./${command}.ndjson`], {
      cwd: dir,
      env: fixture.env()
    })
    expect(result.code, result.stderr).toBe(fanOutExitCode(names, fixture.sandbox.groundTruth[truth]))
    const expected = names.flatMap((name) => {
      try {
        return fixture.sandbox.groundTruth[truth](name).map((entry) => `${name}/${String((entry as { id?: unknown; username?: unknown }).id ?? (entry as { username: unknown }).username)}`)
      } catch (error) {
        if (error instanceof GroundTruthRefusal) return []
        throw error
      }
    })
    const records = readNdjson(join(dir, `${command}.ndjson`))
    expect(sorted(records.map((r) => `${String(r.of_username)}/${String(r.id ?? r.username)}`))).toEqual(sorted(expected))
  })

  it("webhook: signed batches reach a receiver, every record once", async () => {
    const secret = "hook-secret-for-tests"
    const received: Array<{ records: Array<{ id: string }> }> = []
    let badSignatures = 0
    const server = createServer((request, response) => {
      let body = ""
      request.on("data", (chunk) => (body += chunk))
      request.on("end", () => {
        const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`
        if (request.headers["x-tikflow-signature"] !== expected) badSignatures++
        received.push(JSON.parse(body))
        response.writeHead(200).end("{}")
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const result = await runCli([
        "videos", "--query", "region_code = GB", "--from", "2024-03-01", "--to", "2024-03-20",
        "--out", `webhook:http://127.0.0.1:${port}/hook?batch_size=7`
      ], { cwd: dir, env: fixture.env({ TIKFLOW_WEBHOOK_SECRET: secret }) })
      expect(result.code).toBe(0)
      expect(badSignatures).toBe(0)
      const ids = received.flatMap((payload) => payload.records.map((record) => record.id))
      expect(sorted(new Set(ids))).toEqual(sorted(expectedVideoIds(fixture.sandbox, "region_code = GB", "2024-03-01", "2024-03-20")))
    } finally {
      server.close()
    }
  })

  it("a third-party plugin installed as tikflow-sink-<name> is used by its scheme", async () => {
    const pluginDir = tempDir()
    installFakePlugin(pluginDir, "memo")
    const result = await runCli([
      "videos", "--query", "region_code = DE", "--from", "2024-02-01", "--to", "2024-02-10", "--out", "memo:./memo.jsonl?label=run1"
    ], { cwd: pluginDir, env: fixture.env() })
    expect(result.code).toBe(0)
    const lines = readNdjson(join(pluginDir, "memo.jsonl"))
    expect(lines.every((line) => line.label === "run1" && line.stream === "videos")).toBe(true)
    expect(sorted(lines.map((line) => (line.record as { id: string }).id)))
      .toEqual(sorted(expectedVideoIds(fixture.sandbox, "region_code = DE", "2024-02-01", "2024-02-10")))
  })
})
