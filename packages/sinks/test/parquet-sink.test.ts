import type { Video } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { resolveSink } from "../src/internal.js"
import { checkpoint, chunk, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo, uniqueRecords } from "./support/records.js"

const writeEpochs = async (uri: string, videos: ReadonlyArray<Video>, batchSize: number, resume?: number, firstEpoch = 1) => {
  const context = streamContext("video", { stream: "videos", resume: resume === undefined ? undefined : { epoch: resume } })
  const writer = await resolveSink(uri).open(context)
  let epoch = firstEpoch
  for (const records of chunk(videos, batchSize)) {
    await writer.write({ records, epoch })
    await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
    epoch++
  }
  await writer.close()
  return context
}

const summary = (videos: ReadonlyArray<Video>) => ({
  n: videos.length,
  views: videos.reduce((s, v) => s + BigInt(v.view_count ?? 0), 0n),
  ids: new Set(videos.map((v) => v.id)).size
})

describe("parquet sink", () => {
  test.prop([uniqueRecords("video", recordKinds.video.keyOf as never, 60), fc.integer({ min: 1, max: 25 }), fc.constantFrom("zstd", "snappy", "none")], {
    numRuns: 12
  })("DuckDB reads back exactly the records written (counts, sums, keys, text, lists)", async (videos, batchSize, compression) => {
    const dir = await tempDir()
    await writeEpochs(`parquet:${dir}?compression=${compression}&part_rows=7`, videos as Array<Video>, batchSize)
    if (videos.length === 0) {
      expect(await readdir(dir)).toEqual([])
      return
    }
    const glob = sqlString(join(dir, "videos", "**", "*.parquet"))
    const [row] = await duckdbQuery(`select count(*)::bigint n, coalesce(sum(view_count), 0)::hugeint total_views, count(distinct id)::bigint ids from read_parquet(${glob})`)
    const want = summary(videos as Array<Video>)
    expect([BigInt(row.n as number), BigInt(String(row.total_views)), BigInt(row.ids as number)]).toEqual([BigInt(want.n), want.views, BigInt(want.ids)])
    {
      const back = await duckdbQuery(`select id, username, hashtag_names, is_stem_verified, like_count::varchar like_count from read_parquet(${glob}) order by id`)
      const expected = [...(videos as Array<Video>)]
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((v) => ({ id: v.id, username: v.username, hashtag_names: v.hashtag_names, is_stem_verified: v.is_stem_verified, like_count: v.like_count === null ? null : String(v.like_count) }))
      expect(back).toEqual(expected)
    }
  })

  test("Hive partitions by create_date read back with one glob", async () => {
    const dir = await tempDir()
    const videos = Array.from({ length: 500 }, (_, i) => sampleVideo(i))
    await writeEpochs(`parquet:${dir}?partition=create_date`, videos, 200)
    const rows = await duckdbQuery(
      `select create_date::varchar d, count(*)::int n from read_parquet(${sqlString(join(dir, "videos", "**", "*.parquet"))}, hive_partitioning = true) group by 1 order by 1`
    )
    const expected = new Map<string, number>()
    for (const v of videos) {
      const d = new Date(v.create_time! * 1000).toISOString().slice(0, 10)
      expected.set(d, (expected.get(d) ?? 0) + 1)
    }
    expect(rows).toEqual([...expected].sort().map(([d, n]) => ({ d, n })))
    expect((await readdir(join(dir, "videos"))).every((name) => name.startsWith("create_date="))).toBe(true)
  })

  test("memory stays bounded: parts are written every part_rows rows, before any flush", async () => {
    const dir = await tempDir()
    const writer = await resolveSink(`parquet:${dir}?part_rows=100`).open(streamContext("video", { stream: "videos" }))
    for (let i = 0; i < 10; i++) await writer.write({ records: Array.from({ length: 50 }, (_, j) => sampleVideo(i * 50 + j)), epoch: 1 })
    // 500 rows written, none flushed: all but what fits in one buffer is already on disk.
    expect((await readdir(join(dir, "videos"))).filter((f) => f.endsWith(".parquet"))).toHaveLength(5)
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.close()
    const [row] = await duckdbQuery(`select count(*)::int n from read_parquet(${sqlString(join(dir, "videos", "*.parquet"))})`)
    expect(row).toEqual({ n: 500 })
  })

  test("dictionary encoding only for columns whose values repeat (region_code); ids and text stay plain", async () => {
    const dir = await tempDir()
    await writeEpochs(`parquet:${dir}`, Array.from({ length: 300 }, (_, i) => sampleVideo(i)), 300)
    const rows = await duckdbQuery(
      `select path_in_schema::varchar col, list_contains(string_split(encodings, ', '), 'RLE_DICTIONARY') or encodings like '%PLAIN_DICTIONARY%' dict ` +
        `from parquet_metadata(${sqlString(join(dir, "videos", "*.parquet"))}) where path_in_schema in ('id', 'video_description', 'music_id', 'region_code') order by 1`
    )
    expect(rows).toEqual([
      { col: "id", dict: false },
      { col: "music_id", dict: false },
      { col: "region_code", dict: true },
      { col: "video_description", dict: false }
    ])
  })

  test("records without create_time land in Hive's null partition and read back as NULL", async () => {
    const dir = await tempDir()
    await writeEpochs(`parquet:${dir}?partition=create_date`, [sampleVideo(1), { ...sampleVideo(2), create_time: null }], 2)
    const rows = await duckdbQuery(
      `select id, create_date::varchar d from read_parquet(${sqlString(join(dir, "videos", "**", "*.parquet"))}, hive_partitioning = true) order by id`
    )
    expect(rows).toEqual([{ id: sampleVideo(1).id, d: "2023-11-15" }, { id: sampleVideo(2).id, d: null }])
  })

  test("a resumed run discards parts of unacknowledged epochs, keeps committed ones", async () => {
    const dir = await tempDir()
    const uri = `parquet:${dir}?part_rows=10`
    const videos = Array.from({ length: 100 }, (_, i) => sampleVideo(i))
    // First run: epochs 1–3 flushed (committed up to 2 by the runner), epoch 4 written, then a "crash".
    const context = streamContext("video", { stream: "videos" })
    const writer = await resolveSink(uri).open(context)
    for (const [i, records] of chunk(videos.slice(0, 80), 20).entries()) {
      await writer.write({ records, epoch: i + 1 })
      if (i < 3) await writer.flush({ epoch: i + 1, checkpoint: checkpoint(i + 1) })
    }
    // The runner may first open without a resume point, learn one from another sink's store, and
    // reopen: the first open must not touch anything.
    const probe = await resolveSink(uri).open(streamContext("video", { stream: "videos" }))
    await probe.close()
    // Resume from epoch 2: epochs 3 and 4 are delivered again.
    const resumed = await writeEpochs(uri, videos.slice(40), 20, 2, 3)
    expect(resumed.logger.lines.some((l) => l.includes("removed"))).toBe(true)
    const [row] = await duckdbQuery(`select count(*)::int n, count(distinct id)::int ids from read_parquet(${sqlString(join(dir, "videos", "*.parquet"))})`)
    expect(row).toEqual({ n: 100, ids: 100 })
  })

  test("a torn .tmp part is invisible to readers and removed on open", async () => {
    const dir = await tempDir()
    const { writeFile, mkdir } = await import("node:fs/promises")
    const { harvestTag, partFileName } = await import("../src/files/part-files.js")
    await mkdir(join(dir, "videos"), { recursive: true })
    const torn = join(dir, "videos", `${partFileName(harvestTag("harvest-1"), 1, 0, "parquet")}.tmp`)
    await writeFile(torn, "PAR1 torn")
    await writeEpochs(`parquet:${dir}`, [sampleVideo(1)], 1, 0, 1)
    expect((await readdir(join(dir, "videos"))).some((n) => n.endsWith(".tmp"))).toBe(false)
  })

  test("parts are compressed with the codec asked for, snappy when none is", async () => {
    const codecs: Record<string, string> = {}
    for (const query of ["", "?compression=zstd", "?compression=snappy", "?compression=none"]) {
      const dir = await tempDir()
      await writeEpochs(`parquet:${dir}${query}`, Array.from({ length: 50 }, (_, i) => sampleVideo(i)), 50)
      const rows = await duckdbQuery(`select distinct compression from parquet_metadata(${sqlString(join(dir, "videos", "*.parquet"))})`)
      codecs[query] = rows.map((row) => String(row.compression)).join(",")
    }
    expect(codecs).toEqual({ "": "SNAPPY", "?compression=zstd": "ZSTD", "?compression=snappy": "SNAPPY", "?compression=none": "UNCOMPRESSED" })
  })

  test("bad options fail with the option's name", () => {
    expect(() => resolveSink("parquet:/tmp/x?compression=lz4")).toThrow(/compression: expected one of zstd, snappy, none, got "lz4"/)
    expect(() => resolveSink("parquet:/tmp/x?partition=region")).toThrow(/partition: expected one of create_date/)
    expect(() => resolveSink("parquet:/tmp/x?part_rows=0")).toThrow(/part_rows: expected an integer/)
    expect(() => resolveSink("parquet:/tmp/x?compresion=zstd")).toThrow(/compresion: .*unknown option/)
    expect(() => resolveSink("parquet:")).toThrow(/location: expected a directory/)
  })
})
