import { spawnSync } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, test } from "vitest"
import { encodeParquetOffThread, MAX_WAITING_BATCHES, parquetEncoderThread } from "../src/parquet/parquet-worker.js"
import { columnBatchBuilder } from "../src/schema/column-batch.js"
import { tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo } from "./support/records.js"

const videos = (from: number, count: number) => Array.from({ length: count }, (_, i) => sampleVideo(from + i))

const batchOf = (from: number, count: number) => {
  const builder = columnBatchBuilder("video")
  builder.append(videos(from, count))
  return builder.finish()
}

const fileOf = async (chunks: ReadonlyArray<Uint8Array>, name: string) => {
  const file = join(await tempDir(), name)
  await writeFile(file, chunks)
  return file
}

const idsIn = async (glob: string) => (await duckdbQuery(`select id from read_parquet(${sqlString(glob)}) order by id`)).map((row) => row.id)

const lifecycle = fileURLToPath(new URL("./support/parquet-thread-lifecycle.mjs", import.meta.url))
const closeInFlight = fileURLToPath(new URL("./support/parquet-thread-close-in-flight.mjs", import.meta.url))

describe("the Parquet encoder thread (parquet-wasm off the main thread)", () => {
  test("parts interleaved on the thread come back as complete files, each with its batches in order", async () => {
    const thread = parquetEncoderThread()
    try {
      await thread.ready()
      const a = thread.open({ compression: "zstd", rowGroupRows: 1000 })
      const b = thread.open({ compression: "snappy", rowGroupRows: 7 })
      for (let i = 0; i < 6; i++) {
        await a.write(batchOf(i * 10, 10))
        await b.write(batchOf(1000 + i, 1))
      }
      const fileA = await fileOf(await a.end(), "a.parquet")
      const fileB = await fileOf(await b.end(), "b.parquet")
      expect(await thread.rowsIn(fileA)).toBe(60)
      expect(await thread.rowsIn(fileB)).toBe(6)
      expect(await idsIn(fileA)).toEqual(videos(0, 60).map((video) => video.id).sort())
      const whole = await fileOf(await encodeParquetOffThread(thread, [batchOf(0, 30), batchOf(30, 30)], { compression: "zstd", rowGroupRows: 1000 }), "whole.parquet")
      expect(await idsIn(whole)).toEqual(await idsIn(fileA))
    } finally {
      await thread.close()
    }
  })

  test("a batch of other columns than its part's is refused on the main thread, before the thread; the part's file holds its other batches", async () => {
    const thread = parquetEncoderThread()
    try {
      await thread.ready()
      const part = thread.open({ compression: "zstd", rowGroupRows: 1000 })
      await part.write(batchOf(0, 10))
      const withProvenance = columnBatchBuilder("video", [], true)
      withProvenance.append(videos(10, 5).map((video) => ({ ...video, _harvest_id: "h", _fetched_at: "t", _log_id: null })))
      const comments = columnBatchBuilder("comment")
      comments.append([{ id: "1", video_id: "2", text: "x", like_count: 0, reply_count: 0, parent_comment_id: "2", create_time: 0 } as never])
      expect(() => part.write(withProvenance.finish())).toThrow("a part's batch has other columns than the part: column 24 is _harvest_id utf8, the part's none: a part is one schema")
      expect(() => part.write(comments.finish())).toThrow("a part's batch holds comment records, the part video records: a part is one schema")
      // The same columns in another array (another builder) are the same schema.
      await part.write(batchOf(10, 10))
      const file = await fileOf(await part.end(), "shape.parquet")
      expect(await idsIn(file)).toEqual(videos(0, 20).map((video) => video.id).sort())
    } finally {
      await thread.close()
    }
  })

  test(`past ${MAX_WAITING_BATCHES} batch(es) waiting for the thread, a write waits, and batches keep their order`, async () => {
    const thread = parquetEncoderThread()
    try {
      // Written before parquet-wasm has loaded: the thread takes none of them yet.
      const part = thread.open({ compression: "zstd", rowGroupRows: 1000 })
      const writes = Array.from({ length: MAX_WAITING_BATCHES + 2 }, (_, i) => part.write(batchOf(i * 5, 5)))
      expect(writes.slice(0, MAX_WAITING_BATCHES)).toEqual(Array(MAX_WAITING_BATCHES).fill(undefined))
      expect(writes.slice(MAX_WAITING_BATCHES).every((write) => write instanceof Promise)).toBe(true)
      await Promise.all(writes)
      const file = await fileOf(await part.end(), "bounded.parquet")
      const inFileOrder = (await duckdbQuery(`select id from read_parquet(${sqlString(file)})`)).map((row) => row.id)
      expect(inFileOrder).toEqual(videos(0, (MAX_WAITING_BATCHES + 2) * 5).map((video) => video.id))
    } finally {
      await thread.close()
    }
  })

  test("a batch the thread's writer cannot take fails its part's end with the reason, not a file without it and the batches after it; later writes and parts are answered", async () => {
    const thread = parquetEncoderThread()
    try {
      await thread.ready()
      const part = thread.open({ compression: "zstd", rowGroupRows: 1000 })
      await part.write(batchOf(0, 3))
      // What parquet-wasm refuses as it reads the batch in (here an id column's offsets past its bytes).
      const good = batchOf(3, 3)
      const [ids, ...rest] = good.data
      await part.write({ ...good, data: [{ ...ids!, valueOffsets: Int32Array.of(0, 1000, 1000, 1000) }, ...rest] })
      await part.write(batchOf(6, 3))
      await expect(part.end()).rejects.toThrow(/offset 1000/)
      // Every write of the failed part was answered: the next part's writes do not wait for room forever.
      const next = thread.open({ compression: "zstd", rowGroupRows: 1000 })
      for (let i = 0; i < MAX_WAITING_BATCHES + 2; i++) await next.write(batchOf(100 + i * 2, 2))
      expect(await idsIn(await fileOf(await next.end(), "after-failure.parquet"))).toEqual(videos(100, (MAX_WAITING_BATCHES + 2) * 2).map((video) => video.id).sort())
    } finally {
      await thread.close()
    }
  })

  test("closing the thread while a write's answer is in flight: close resolves and the process ends (not exit 13, unsettled await)", () => {
    const child = spawnSync(process.execPath, [closeInFlight], { encoding: "utf8", timeout: 60_000 })
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({ status: 0, signal: null, stderr: "" })
    expect(JSON.parse(child.stdout)).toEqual({ closed: true, unrefWhileTerminating: false })
  })

  test("sinks share one thread; batches are encoded there: when it dies, flushes fail naming it on one line, no part is written; closing ends it; the process exits", async () => {
    const dir = await tempDir()
    const child = spawnSync(process.execPath, [lifecycle, dir], { encoding: "utf8", timeout: 60_000 })
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({ status: 0, signal: null, stderr: "" })
    const seen = JSON.parse(child.stdout)
    const failed = (sink: string, step: string) => `parquet:${join(dir, sink)}: ${step} failed: the Parquet encoder thread exited (code 1)`
    expect(seen.sharedThreads).toBe(1)
    // Sink a had handed 8,192 rows to the thread (the main thread keeps no copy); b's 100 were still staged.
    expect(seen.crashed).toEqual({
      flushA: failed("a", "flush"),
      flushB: failed("b", "flush"),
      writeA: failed("a", "write"),
      closeA: failed("a", "close"),
      closeB: failed("b", "close"),
      files: []
    })
    // A later sink starts a thread of its own; closing it ends that thread (terminated: code 1).
    expect([seen.flushC, seen.closeC]).toEqual(["ok", "ok"])
    expect(seen.afterClose).toEqual({ threads: 2, exits: [{ thread: 0, code: 1 }, { thread: 1, code: 1 }], files: 1 })
    expect(await idsIn(join(dir, "c", "c", "*.parquet"))).toHaveLength(9000)
  })
})
