import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { useFakeVideoApi } from "./support/fake-video-api.js"
import { query, readArrowColumn } from "./support/read-outputs.js"
import { runCli } from "./support/run-cli.js"
import { tempDir } from "./support/temp-dir.js"

const root = tempDir()
let runs = 0
const runDir = () => {
  const dir = join(root, `run-${++runs}`)
  mkdirSync(dir)
  return dir
}

// A loopback API whose second page holds one video with a count no sink can store exactly (the
// JSON text is sent verbatim: `1e20`, 2^63, `1.5`). The rule: a typed decode error naming the
// field, the value and the record; never stored wrapped or truncated by any sink; never retried
// (the same request returns the same value); and the advice printed works.

const BAD_ID = "7320000000000000003"

const videoJson = (id: string, likeCount: string, fields: ReadonlySet<string>): string => {
  const parts = [`"id":${id}`, `"create_time":1704100000`, `"username":"u${id.slice(-1)}"`, `"video_duration":15.2`]
  if (fields.has("like_count")) parts.push(`"like_count":${likeCount}`)
  return `{${parts.join(",")}}`
}

/** Page 1: two good videos; page 2: a good one and BAD_ID with `likeCount` (when asked for). */
const pageJson = (cursor: number, likeCount: string, fields: ReadonlySet<string>): string => {
  const videos = cursor === 0
    ? [videoJson("7320000000000000001", "10", fields), videoJson("7320000000000000002", "20", fields)]
    : [videoJson("7320000000000000004", "40", fields), videoJson(BAD_ID, likeCount, fields)]
  return `{"data":{"videos":[${videos.join(",")}],"cursor":${cursor + 2},"has_more":${cursor === 0},"search_id":"s1"},` +
    `"error":{"code":"ok","message":"","log_id":"L"}}`
}

describe("a count the schema cannot hold", () => {
  let likeCount = "1"
  const api = useFakeVideoApi((cursor, fields) => pageJson(cursor, likeCount, fields))
  const env = api.env
  const outs = ["--out", "parquet:./parquet", "--out", "arrow:./arrow", "--out", "duckdb:./db.duckdb"]

  it.each([
    ["1e20", "100000000000000000000"], // JSON.parse reads it as a number: shown as one
    ["9223372036854775808", "9223372036854775808"],
    ["1.5", "1.5"]
  ])("like_count %s: exit 1 naming field, value and video; not retried; no sink stores it", async (wire, shown) => {
    likeCount = wire
    api.requests.clear()
    const dir = runDir()
    const args = ["videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-01", ...outs]
    const result = await runCli(args, { cwd: dir, env: env() })
    expect(result.code).toBe(1)
    const line = result.stderr.split("\n").find((l) => l.includes("cannot store")) ?? ""
    expect(line).toContain(`data.videos[1].like_count: expected an integer in ±(2^53 - 1), got ${shown} (id ${BAD_ID})`)
    expect(line).toContain("not retried")
    expect(result.stderr).not.toContain("run the same command again to resume")
    expect(api.requests.get(2)).toBe(1)

    // Whatever was committed before the bad page, no sink holds the bad video or a wrapped count.
    const parquet = await query(":memory:", `SELECT id, like_count FROM read_parquet('${join(dir, "parquet")}/**/*.parquet')`).catch(() => [])
    const duckdb = await query(join(dir, "db.duckdb"), "SELECT id, like_count FROM videos").catch(() => [])
    for (const row of [...parquet, ...duckdb]) expect(["7320000000000000001", "7320000000000000002"]).toContain(String(row.id))
    expect(readArrowColumn(join(dir, "arrow"), "id").map(String)).not.toContain(BAD_ID)

    // Re-running asks for the same page once more and stops the same way: nothing retried in between.
    const again = await runCli(args, { cwd: dir, env: env() })
    expect(again.code).toBe(1)
    expect(api.requests.get(2)).toBe(2)
  })

  it("the advice works: without the field, the harvest completes and every sink holds every video", async () => {
    likeCount = "1e20"
    const dir = runDir()
    writeFileSync(join(dir, "pipeline.yaml"), [
      "sinks: [parquet:./parquet, arrow:./arrow, duckdb:./db.duckdb]",
      "jobs:",
      "  - name: videos",
      "    source:",
      "      endpoint: videos",
      "      query: region_code = US",
      "      from: 2024-01-01",
      "      to: 2024-01-01",
      "      fields: [id, create_time, username, video_duration]",
      ""
    ].join("\n"))
    const result = await runCli(["run", "pipeline.yaml"], { cwd: dir, env: env() })
    expect(result.stderr).toContain("done")
    expect(result.code).toBe(0)
    const ids = ["7320000000000000001", "7320000000000000002", "7320000000000000003", "7320000000000000004"]
    const rows = await query(join(dir, "db.duckdb"), "SELECT id, like_count, video_duration FROM videos ORDER BY id")
    expect(rows).toEqual(ids.map((id) => ({ id, like_count: null, video_duration: 15.2 })))
    const parquet = await query(":memory:", `SELECT id FROM read_parquet('${join(dir, "parquet")}/**/*.parquet') ORDER BY id`)
    expect(parquet.map((row) => row.id)).toEqual(ids)
    expect(readArrowColumn(join(dir, "arrow"), "id").map(String).sort()).toEqual(ids)
  })
})
