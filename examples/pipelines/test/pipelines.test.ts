import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import type { Sandbox } from "@tikflow/sandbox"
import { GroundTruthRefusal, startSandbox } from "@tikflow/sandbox"
import { Effect } from "effect"
import type { ProgressListener } from "@tikflow/core"
import { Pipeline, Transform } from "@tikflow/core"
import { resolveSink } from "@tikflow/sinks"
import { layerTikTokClient, videoQuery } from "@tikflow/sources"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { main as effectPipeline } from "../src/effect-pipeline.js"
import { main as rxjsPipeline } from "../src/rxjs-pipeline.js"
import type { VideoWithAuthor } from "../src/videos-with-authors.js"
import { main as videosWithAuthors } from "../src/videos-with-authors.js"

let sandbox: Sandbox
const dirs: Array<string> = []
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-examples-"))
  dirs.push(dir)
  return dir
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, world: { users: 60, videos: 2_500, startDate: "2024-01-01", days: 30 } })
})
afterAll(async () => {
  await sandbox?.stop()
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

const readLines = <A>(file: string): Array<A> =>
  fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line) as A)

const truthIds = (regions: ReadonlyArray<string>, start: string, end: string) =>
  sandbox.groundTruth
    .videos({ query: { and: [{ field_name: "region_code", operation: "IN", field_values: regions }] }, start_date: start, end_date: end })
    .map((video) => video.id)

const connection = () => ({ baseUrl: sandbox.url, credentials: sandbox.credentials })

/** DuckDB as the sinks package resolves it (this example does not depend on it): an independent reader. */
const duckdb = createRequire(new URL("../../../packages/sinks/package.json", import.meta.url))("@duckdb/node-api") as {
  DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<{ runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): Array<Record<string, unknown>> }>; closeSync(): void }>; closeSync(): void }> }
}
const duckdbRows = async (sql: string, database = ":memory:") => {
  const instance = await duckdb.DuckDBInstance.create(database)
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS()
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

describe("example pipelines against the sandbox", () => {
  it("Effect style: every video of the query once in NDJSON and Parquet, across an interruption and a resume", async () => {
    const outDir = tmp()
    const controller = new AbortController()
    const first = await effectPipeline({
      ...connection(),
      outDir,
      signal: controller.signal,
      epochMaxRecords: 40,
      onProgress: (event) => event.type === "checkpoint" && controller.abort()
    })
    expect(first.status).toBe("interrupted")
    expect(first.epochsCommitted).toBeGreaterThanOrEqual(1)
    const second = await effectPipeline({ ...connection(), outDir, epochMaxRecords: 40 })
    expect(second).toMatchObject({ status: "completed", resumed: true })

    const expected = truthIds(["US", "GB", "DE"], "20240101", "20240120")
    expect(expected.length).toBeGreaterThan(50)
    const written = readLines<{ id: string }>(path.join(outDir, "videos.ndjson")).map((video) => video.id)
    expect(written.length).toBe(new Set(written).size)
    expect(new Set(written)).toEqual(new Set(expected))
    expect(fs.readdirSync(path.join(outDir, "parquet"), { recursive: true }).some((f) => String(f).endsWith(".parquet"))).toBe(true)
  })

  it("a sink's own checkpoints (DuckDB) are enough to resume: no runner store, exactly once in NDJSON", async () => {
    const outDir = tmp()
    const client = layerTikTokClient({ baseUrl: sandbox.url, credentials: sandbox.credentials, rate: 1_000 })
    const run = (signal?: AbortSignal, onProgress?: ProgressListener) =>
      Effect.runPromise(
        // Data-last, Effect's own `pipe` all the way through.
        Pipeline.make(
          videoQuery({
            query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE"] }] },
            startDate: "2024-01-01",
            endDate: "2024-01-20"
          })
        ).pipe(
          Pipeline.through(Transform.dedupe()),
          Pipeline.to(resolveSink(`duckdb:${path.join(outDir, "harvest.duckdb")}`), resolveSink(`ndjson:${outDir}`)),
          Pipeline.run({ signal, onProgress, epochMaxRecords: 40 }),
          Effect.provide(client)
        )
      )
    const controller = new AbortController()
    const first = await run(controller.signal, (event) => event.type === "checkpoint" && controller.abort())
    expect(first.status).toBe("interrupted")
    const second = await run()
    expect(second).toMatchObject({ status: "completed", resumed: true, resumedFromEpoch: first.lastEpoch })
    const expected = truthIds(["US", "GB", "DE"], "20240101", "20240120")
    const written = readLines<{ id: string }>(path.join(outDir, "videos.ndjson")).map((video) => video.id)
    expect(written.length).toBe(expected.length)
    expect(new Set(written)).toEqual(new Set(expected))
  })

  it("RxJS style: dedupe operator and batches write every video once", async () => {
    const outDir = tmp()
    const result = await rxjsPipeline({ ...connection(), outDir })
    const expected = truthIds(["US", "JP", "BR"], "20240101", "20240120")
    const written = readLines<{ id: string; region_code: string }>(result.file)
    expect(result.records).toBe(expected.length)
    expect(new Set(written.map((v) => v.id))).toEqual(new Set(expected))
    expect(written.length).toBe(expected.length)
    expect(result.batches).toBeGreaterThanOrEqual(Math.ceil(expected.length / 250))
    expect(Object.values(result.byRegion).reduce((a, b) => a + b, 0)).toBe(expected.length)
  })

  it("join: every video carries its author's user info", async () => {
    const outDir = tmp()
    const summary = await videosWithAuthors({ ...connection(), outDir })
    const expected = truthIds(["US", "GB"], "20240101", "20240110")
    const rows = readLines<VideoWithAuthor>(path.join(outDir, "videos_with_authors.ndjson"))
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(expected))
    expect(rows.length).toBe(expected.length)
    const authors = summary.stages.find((stage) => stage.name === "authors")
    expect(authors).toMatchObject({ recordsIn: expected.length, recordsOut: expected.length, dropped: 0 })
    for (const row of rows) {
      if (row.username === null) {
        expect(row.author).toBeNull()
        continue
      }
      expect(row.author?.username).toBe(row.username)
      let truth: Readonly<Record<string, unknown>> | undefined
      try {
        truth = sandbox.groundTruth.userInfo(row.username)
      } catch (error) {
        if (!(error instanceof GroundTruthRefusal)) throw error
      }
      if (truth === undefined) expect(row.author?.lookup_error).not.toBeNull()
      else {
        expect(row.author?.lookup_error).toBeNull()
        expect(row.author?.display_name).toBe(truth.display_name ?? null)
      }
    }
    expect(rows.filter((row) => row.author !== null && row.author.lookup_error === null).length).toBeGreaterThan(10)

    // DuckDB and Parquet hold the same authors, as JSON text in an `author` column: nothing dropped.
    const byId = new Map(rows.map((row) => [row.id, row.author === null ? null : JSON.stringify(row.author)]))
    const fromDuckdb = await duckdbRows(`SELECT id, author FROM videos`, path.join(outDir, "research.duckdb"))
    const fromParquet = await duckdbRows(`SELECT id, author FROM read_parquet('${path.join(outDir, "parquet", "videos", "**", "*.parquet")}')`)
    for (const [name, stored] of [["duckdb", fromDuckdb], ["parquet", fromParquet]] as const) {
      expect(stored.length, name).toBe(expected.length)
      for (const row of stored) expect(row.author, `${name}: author of ${String(row.id)}`).toBe(byId.get(String(row.id)))
    }
    const [followers] = await duckdbRows(
      `SELECT count(*)::INT n FROM videos WHERE json_extract(author, '$.follower_count') IS NOT NULL`,
      path.join(outDir, "research.duckdb")
    )
    expect(followers.n).toBeGreaterThan(0)
  })
})
