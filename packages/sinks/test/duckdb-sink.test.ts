import type { UserVideo, Video } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { statSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { describe, expect } from "vitest"
import { resolveSink, sharedDuckDB } from "../src/internal.js"
import { ROW_GROUP_SIZE } from "../src/duckdb/duckdb-instances.js"
import { checkpoint, chunk, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo, uniqueRecords } from "./support/records.js"
import { crashTwoStreams, resumeTwoStreams } from "./support/two-stream-epochs.js"

const attached = (file: string, sql: string) => duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); USE db; ${sql}`)

describe("duckdb sink", () => {
  test.prop([uniqueRecords("user_video", recordKinds.user_video.keyOf as never, 50), fc.integer({ min: 1, max: 20 }), fc.array(fc.nat(), { maxLength: 4 })], {
    numRuns: 10
  })("the table holds each record once, re-delivered batches included (upsert on the composite key)", async (records, batchSize, redeliver) => {
    const file = join(await tempDir(), "out.duckdb")
    const writer = await resolveSink(`duckdb:${file}`).open(streamContext("user_video", { stream: "liked_videos" }))
    const batches = chunk(records as Array<UserVideo>, batchSize)
    let epoch = 1
    for (const [i, batch] of batches.entries()) {
      await writer.write({ records: batch, epoch })
      // Re-deliver some batches, in the same epoch and in a later one.
      if (redeliver.includes(i)) await writer.write({ records: batch, epoch })
      await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
      epoch++
      if (redeliver.includes(i)) {
        await writer.write({ records: batch, epoch })
        await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
        epoch++
      }
    }
    await writer.close()
    const [row] = await attached(file,
      "select count(*)::bigint n, coalesce(sum(view_count), 0)::varchar total_views, count(distinct (list, of_username, id))::bigint ids, " +
      "coalesce(sum(len(hashtag_names)), 0)::bigint tags from liked_videos")
    const list = records as Array<UserVideo>
    expect(row).toEqual({
      n: BigInt(list.length),
      total_views: String(list.reduce((s, v) => s + BigInt(v.view_count ?? 0), 0n)),
      ids: BigInt(list.length),
      tags: BigInt(list.reduce((s, v) => s + (v.hashtag_names?.length ?? 0), 0))
    })
    if (list.length > 0) {
      const back = await attached(file, "select id, of_username, list, video_description, effect_ids from liked_videos order by id, of_username, list")
      const want = [...list].map((v) => ({ id: v.id, of_username: v.of_username, list: v.list, video_description: v.video_description, effect_ids: v.effect_ids }))
      const order = (a: { id: string; of_username: string; list: string }) => [a.id, a.of_username, a.list].join("\u0001")
      expect(new Map(back.map((r) => [order(r as never), r]))).toEqual(new Map(want.map((r) => [order(r), r])))
    }
  })

  test("a re-delivered record replaces the old version; within an epoch the last version wins", async () => {
    const writer = await resolveSink("duckdb::memory:?table_prefix=sink_upsert_").open(streamContext("video", { stream: "videos" }))
    await writer.write({ records: [sampleVideo(1), sampleVideo(2)], epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.write({ records: [{ ...sampleVideo(1), like_count: 5 }], epoch: 2 })
    await writer.write({ records: [{ ...sampleVideo(1), like_count: 999 }, { ...sampleVideo(2), like_count: 7 }], epoch: 2 })
    await writer.write({ records: [{ ...sampleVideo(2), like_count: 6 }], epoch: 2 })
    await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await writer.write({ records: [{ ...sampleVideo(2), like_count: 8 }], epoch: 3 })
    await writer.write({ records: [{ ...sampleVideo(2), like_count: 6 }], epoch: 3 })
    await writer.flush({ epoch: 3, checkpoint: checkpoint(3) })
    await writer.close()
    const connection = await (await sharedDuckDB(":memory:")).connect()
    const rows = (await connection.runAndReadAll("select id, like_count from sink_upsert_videos order by id")).getRowObjectsJS()
    connection.closeSync()
    expect(rows).toEqual([{ id: sampleVideo(1).id, like_count: 999n }, { id: sampleVideo(2).id, like_count: 6n }])
  })

  test("data and checkpoint commit together: an unflushed epoch leaves neither", async () => {
    const file = join(await tempDir(), "crash.duckdb")
    const uri = `duckdb:${file}`
    // Two streams share one database: videos flushes epochs 1 and 2, comments only epoch 1 before the "crash".
    const records = await crashTwoStreams(uri)
    expect(await attached(file, "select (select count(*) from videos)::int v, (select count(*) from comments)::int c")).toEqual([{ v: 40, c: 20 }])

    // Resume from the least advanced stream (epoch 1): epochs 2 and 3 are delivered again.
    await resumeTwoStreams(uri, records)
    expect(await attached(file,
      "select (select count(*) from videos)::int v, (select count(distinct id) from videos)::int vd, (select count(*) from comments)::int c, " +
      "(select count(*) from _tikflow_checkpoints)::int k")).toEqual([{ v: 60, vd: 60, c: 60, k: 2 }])
  })

  test("creates the database file's directory, as the file sinks create theirs", async () => {
    const file = join(await tempDir(), "not", "yet", "there.duckdb")
    const writer = await resolveSink(`duckdb:${file}`).open(streamContext("video"))
    await writer.write({ records: [sampleVideo(1)], epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    expect(await attached(file, "select count(*)::bigint n from videos")).toEqual([{ n: 1n }])
  })

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: 0, max: 2999 }), fc.integer({ min: 1, max: 1500 })), { minLength: 1, maxLength: 8 }),
    fc.array(fc.boolean(), { minLength: 8, maxLength: 8 })
  ], { numRuns: 8 })("pages of any size across 2,048-row chunks and epochs: each key holds its last written version", async (pages, flushAfter) => {
    // Page p writes `count` consecutive videos from `start` with like_count = p: every page is a new version of what it overlaps.
    // The in-memory database is shared by every test file a worker runs (isolate: false): its
    // tables' prefixes are unique to the file, and each run (a shrink after a failure too) starts from no table.
    const connection = await (await sharedDuckDB(":memory:")).connect()
    await connection.run("drop table if exists sink_chunks_videos")
    const writer = await resolveSink("duckdb::memory:?table_prefix=sink_chunks_").open(streamContext("video", { stream: "videos" }))
    const last = new Map<string, number>()
    let epoch = 1
    for (const [p, [start, count]] of pages.entries()) {
      const records = Array.from({ length: count }, (_, i) => ({ ...sampleVideo(start + i), like_count: p }))
      await writer.write({ records, epoch })
      for (const record of records) last.set(record.id, p)
      if (flushAfter[p] === true) {
        await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
        epoch++
      }
    }
    await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
    await writer.close()
    const rows = (await connection.runAndReadAll("select id, like_count from sink_chunks_videos")).getRowObjectsJS()
    connection.closeSync()
    expect(new Map(rows.map((r) => [r.id as string, Number(r.like_count)]))).toEqual(last)
    expect(rows.length).toBe(last.size)
  })

  test.each([["the first row", 0], ["a row past the first 2,048", 2500]])(
    "a page with a value DuckDB cannot store (at %s) fails its write and keeps none of its rows; the epoch's other pages are merged",
    async (_, badAt) => {
      const file = join(await tempDir(), "bad.duckdb")
      const writer = await resolveSink(`duckdb:${file}`).open(streamContext("video"))
      const videos = (from: number, count: number) => Array.from({ length: count }, (_, i) => sampleVideo(from + i))
      await writer.write({ records: videos(0, 3000), epoch: 1 })
      // like_count is BIGINT: 1.5 has no exact value there (the decoders refuse it; a sink must not store it cut).
      const bad = videos(3000, 3000).map((r, i) => (i === badAt ? { ...r, like_count: 1.5 } : r))
      await expect(writer.write({ records: bad, epoch: 1 })).rejects.toThrow(`like_count: expected an integer in ±(2^53 - 1), got 1.5 (video ${bad[badAt]!.id})`)
      await writer.write({ records: videos(6000, 100), epoch: 1 })
      await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
      await writer.close()
      expect(await attached(file, "select count(*)::int n, min(id) = '7000000000000000000' a, max(id) = '7000000000000006099' b, " +
        "count(*) filter (where id between '7000000000000003000' and '7000000000000005999')::int bad from videos"))
        .toEqual([{ n: 3100, a: true, b: true, bad: 0 }])
    }
  )

  test("memory_limit and threads set the database's DuckDB settings; the defaults bound memory and leave a core to the harvest", async () => {
    const settingsOf = async (uri: string, file: string) => {
      const writer = await resolveSink(uri).open(streamContext("video"))
      const connection = await (await sharedDuckDB(file)).connect()
      const [row] = (await connection.runAndReadAll("select current_setting('memory_limit') m, current_setting('threads')::int t")).getRowObjectsJS()
      connection.closeSync()
      await writer.close()
      return row
    }
    const dir = await tempDir()
    expect(await settingsOf(`duckdb:${join(dir, "a.duckdb")}?memory_limit=512MiB&threads=2`, join(dir, "a.duckdb"))).toEqual({ m: "512.0 MiB", t: 2 })
    expect(await settingsOf(`duckdb:${join(dir, "b.duckdb")}`, join(dir, "b.duckdb"))).toEqual({ m: "61.0 MiB", t: 1 })
  })

  test("a database file stores its tables in row groups of ROW_GROUP_SIZE rows, and connections to it start in it, under the file's name, spilling next to it", async () => {
    const dir = await tempDir()
    const file = join(dir, "rows.duckdb")
    const writer = await resolveSink(`duckdb:${file}`).open(streamContext("video"))
    const rows = Math.ceil((2 * ROW_GROUP_SIZE + 1) / 1000) * 1000
    for (let from = 0; from < rows; from += 1000) {
      await writer.write({ records: Array.from({ length: 1000 }, (_, i) => sampleVideo(from + i)), epoch: 1 })
    }
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    const connection = await (await sharedDuckDB(file)).connect()
    const [row] = (await connection.runAndReadAll(
      "select current_database() db, current_setting('temp_directory') spills, (select count(*) from videos)::int n, list(c order by c desc) row_groups from " +
      "(select sum(count)::int c from pragma_storage_info('videos') where column_name = 'id' and segment_type <> 'VALIDITY' group by row_group_id)"
    )).getRowObjectsJS()
    connection.closeSync()
    await writer.close()
    expect(row).toEqual({ db: "rows", spills: `${file}.tmp`, n: rows, row_groups: [ROW_GROUP_SIZE, ROW_GROUP_SIZE, rows - 2 * ROW_GROUP_SIZE] })
    // Read back directly, as another process opens it: the same rows.
    expect(await attached(file, "select count(distinct id)::int n from videos")).toEqual([{ n: rows }])
  })

  test(":memory: spills to a directory of its own under the OS temp directory, private to the user, not .tmp in the working directory", async () => {
    const connection = await (await sharedDuckDB(":memory:")).connect()
    const [row] = (await connection.runAndReadAll("select current_setting('temp_directory') spills")).getRowObjectsJS()
    connection.closeSync()
    const spills = String(row?.spills)
    expect(dirname(spills)).toBe(tmpdir())
    expect(basename(spills)).toMatch(/^tikflow-duckdb-/)
    expect(statSync(spills).mode & 0o777).toBe(0o700)
  })

  test("bad memory_limit or threads: a one-line error naming the option", () => {
    expect(() => resolveSink("duckdb:x.duckdb?memory_limit=lots")).toThrow(/memory_limit: expected a size such as 256MB or 2GB, got "lots"$/)
    expect(() => resolveSink("duckdb:x.duckdb?memory_limit=-5MB")).toThrow(/memory_limit: expected a size/)
    expect(() => resolveSink("duckdb:x.duckdb?threads=0")).toThrow(/threads: expected an integer from 1 to 256/)
    expect(() => resolveSink("duckdb:x.duckdb?threads=two")).toThrow(/threads: expected an integer/)
    expect(() => resolveSink("duckdb:x.duckdb?memory_limits=1GB")).toThrow(/memory_limits: expected one of the options table_prefix, memory_limit, threads/)
  })

  test("bad config names the option", () => {
    expect(() => resolveSink("duckdb:")).toThrow(/location: expected a database file or :memory:/)
    expect(() => resolveSink("duckdb:x.duckdb?table_prefix=a-b")).toThrow(/table_prefix: expected letters/)
  })
})
