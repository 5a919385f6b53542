import type { Video } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { loadDuckDB } from "../src/duckdb/duckdb-library.js"
import { createStagingSql, createTableSql, upsertFromStagingSql } from "../src/duckdb/duckdb-tables.js"
import { resolveSink, sharedDuckDB } from "../src/internal.js"
import { columnsOf } from "../src/schema/columns.js"
import { checkpoint, streamContext } from "./support/context.js"
import { sampleVideo, videoArb } from "./support/records.js"

// The sink keeps one row per key without a PRIMARY KEY constraint (see duckdb-tables.ts), so
// these check the merge itself: last version per key, whatever the batches and epochs.

let tables = 0

const readBack = async (table: string) => {
  const connection = await (await sharedDuckDB(":memory:")).connect()
  try {
    const reader = await connection.runAndReadAll(`select id, like_count, video_description, hashtag_names from ${table}`)
    return reader.getRowObjectsJS() as Array<{ id: string; like_count: bigint | null; video_description: string | null; hashtag_names: Array<string> | null }>
  } finally {
    connection.closeSync()
  }
}

const byId = <A extends { id: string }>(rows: ReadonlyArray<A>) => new Map(rows.map((r) => [r.id, r]))

const view = (v: Video) => ({
  id: v.id,
  like_count: v.like_count === null ? null : BigInt(v.like_count),
  video_description: v.video_description,
  hashtag_names: v.hashtag_names === null ? null : [...v.hashtag_names]
})

describe("duckdb sink merge", () => {
  // Epochs of batches drawn from a few keys, so keys repeat within a batch, across batches of an
  // epoch and across epochs; the last epoch is sometimes left unflushed (a crash before commit).
  const epochsArb = fc.array(
    fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), videoArb), { maxLength: 12 }), { maxLength: 4 }),
    { minLength: 1, maxLength: 5 }
  )

  test.prop([epochsArb, fc.boolean()], { numRuns: 40 })(
    "the table holds the last flushed version of every key, nothing of an unflushed epoch",
    async (epochs, crashBeforeLast) => {
      const prefix = `merge${++tables}_`
      const writer = await resolveSink(`duckdb::memory:?table_prefix=${prefix}`).open(streamContext("video", { stream: "videos" }))
      const want = new Map<string, ReturnType<typeof view>>()
      let version = 0
      for (const [e, batches] of epochs.entries()) {
        const epoch = e + 1
        const committed = !(crashBeforeLast && e === epochs.length - 1)
        for (const batch of batches) {
          // like_count carries a global write sequence: which version survived is visible.
          const records = batch.map(([key, v]) => ({ ...v, id: sampleVideo(key).id, like_count: ++version }))
          await writer.write({ records, epoch })
          if (committed) for (const r of records) want.set(r.id, view(r))
        }
        if (committed) await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
      }
      await writer.close()
      const rows = await readBack(`${prefix}videos`)
      expect(rows.length).toBe(want.size)
      expect(byId(rows)).toEqual(want)
    }
  )

  test("last version wins across data chunks of one batch (more than 2,048 rows)", async () => {
    const writer = await resolveSink("duckdb::memory:?table_prefix=merge_chunks_").open(streamContext("video", { stream: "videos" }))
    // 5,000 rows over 1,000 keys: each key five times, versions spread over three chunks.
    const records = Array.from({ length: 5000 }, (_, i) => ({ ...sampleVideo(i % 1000), like_count: i }))
    await writer.write({ records, epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.write({ records: records.slice(0, 10).map((r) => ({ ...r, like_count: -1 })), epoch: 2 })
    await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await writer.close()
    const rows = byId(await readBack("merge_chunks_videos"))
    expect(rows.size).toBe(1000)
    for (let k = 0; k < 1000; k++) expect(rows.get(sampleVideo(k).id)?.like_count).toBe(k < 10 ? -1n : BigInt(4000 + k))
  })

  test("a batch with a value that does not convert stages none of its rows", async () => {
    const writer = await resolveSink("duckdb::memory:?table_prefix=merge_partial_").open(streamContext("video", { stream: "videos" }))
    const good = Array.from({ length: 3000 }, (_, i) => sampleVideo(i))
    // A fractional count in the second chunk: the first chunk must not be appended either.
    const bad = good.map((r, i) => (i === 2500 ? { ...r, like_count: 1.5 } : r))
    await expect(writer.write({ records: bad, epoch: 1 })).rejects.toThrow()
    await writer.write({ records: good.slice(0, 5), epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    expect((await readBack("merge_partial_videos")).length).toBe(5)
  })
})

describe("duckdb sink merge at size", () => {
  // Each epoch's DELETE joins the staged keys against the table. For the API's ids (time-ordered:
  // a video's creation time is in their leading digits) DuckDB narrows that join's scan to the row
  // groups whose key range the staged keys overlap (zone maps and the join's min/max filter), so
  // an epoch's merge costs the same at any table size. A rewrite of the DELETE that defeats this
  // (a cast or expression on the table's key, a tuple IN) would make every epoch scan the table.
  test("an epoch's delete reads only the row groups its keys can be in", async () => {
    const { DuckDBInstance } = await loadDuckDB()
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" })
    const connection = await instance.connect()
    const dir = mkdtempSync(join(tmpdir(), "tikflow-merge-scan-"))
    try {
      const columns = columnsOf("video")
      await connection.run(createTableSql("videos", columns))
      // 300,000 rows of ids as the API's: seconds since the epoch times 2^32, plus a sequence.
      const id = (second: string) => `((${second})::HUGEINT * 4294967296 + i % 1000)::VARCHAR`
      await connection.run(`INSERT INTO videos (id) SELECT ${id("1704067200 + i")} FROM range(300000) t(i)`)
      const staging = "_tikflow_stage_videos"
      await connection.run(createStagingSql(staging, "videos", columns))
      // The next epoch: 1,000 videos newer than every stored one.
      await connection.run(`INSERT INTO temp.main.${staging} (id) SELECT ${id("1704067200 + 300000 + i")} FROM range(1000) t(i)`)
      const profile = join(dir, "profile.json")
      await connection.run("PRAGMA enable_profiling = 'json'")
      await connection.run(`PRAGMA profiling_output = '${profile}'`)
      await connection.run(`SET custom_profiling_settings = '{"OPERATOR_ROWS_SCANNED": "true", "EXTRA_INFO": "true"}'`)
      await connection.run(upsertFromStagingSql(staging, "videos", "video", columns).deleteStaged)
      await connection.run("PRAGMA disable_profiling")
      const scanned = new Map<string, number>()
      const walk = (node: { operator_rows_scanned?: number; extra_info?: { Table?: string }; children?: ReadonlyArray<unknown> }) => {
        if (node.extra_info?.Table !== undefined) scanned.set(node.extra_info.Table, node.operator_rows_scanned ?? 0)
        for (const child of node.children ?? []) walk(child as typeof node)
      }
      walk(JSON.parse(readFileSync(profile, "utf8")))
      const table = [...scanned].find(([name]) => name.endsWith(".videos"))
      expect(table).toBeDefined()
      // A row group or two at the boundary, never the table (300,000 rows).
      expect(table![1]).toBeLessThan(150_000)
    } finally {
      connection.closeSync()
      instance.closeSync()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
