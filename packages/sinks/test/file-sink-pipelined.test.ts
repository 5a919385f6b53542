import type { SinkWriter, Video } from "@tikflow/core/internal"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import type { PartEncoder } from "../src/files/part-writer.js"
import { openPartWriter } from "../src/files/part-writer.js"
import { parquetEncoder } from "../src/parquet/parquet-encoder.js"
import { arrowSchemaFor, parseSinkUri, resolveSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo } from "./support/records.js"

/**
 * The file sinks declare `writesDuringFlush`: flush N finishes epoch N's parts (encode, write,
 * fsync, rename) while the writes of epoch N+1 open parts of their own, none of which reaches the
 * disk before flush N resolved, and none at all once it failed.
 */

const videos = (from: number, n: number): Array<Video> => Array.from({ length: n }, (_, i) => sampleVideo(from + i))
const idsOf = (records: ReadonlyArray<Video>) => records.map((video) => video.id).sort()
const partsIn = async (dir: string) => (await readdir(dir).catch(() => [] as Array<string>)).filter((name) => name.startsWith("part-")).sort()
const idsIn = async (glob: string) => (await duckdbQuery(`select id from read_parquet(${sqlString(glob)}) order by id`)).map((row) => row.id)
/** Lets every pending callback and I/O completion run, so a flush that could proceed would have. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
/**
 * Waits until `gates` parts are held at their end: a part's end comes after the encoder thread took
 * its batches, which a loaded machine (CI) can take many event-loop turns to do.
 */
const gatesHeld = async (gated: { readonly gates: ReadonlyArray<unknown> }, gates: number) => {
  for (let waited = 0; gated.gates.length < gates; waited++) {
    if (waited === 10_000) throw new Error(`no part reached its end: ${gated.gates.length} of ${gates} gates held`)
    await new Promise<void>((resolve) => setTimeout(resolve, 1))
  }
}

/** The Parquet encoder, each part's end held until its gate is opened (or failed). */
const gatedParquet = (dir: string) => {
  const gates: Array<{ open: () => void; fail: (error: Error) => void }> = []
  const gated = (inner: PartEncoder): PartEncoder => ({
    ...inner,
    open() {
      const part = inner.open!()
      return {
        write: (batch) => part.write(batch),
        end: async () => {
          await new Promise<void>((resolve, reject) => void gates.push({ open: resolve, fail: reject }))
          return part.end()
        }
      }
    }
  })
  const open = async (resume: number | undefined, partRows = 1_000): Promise<SinkWriter> => {
    const context = { ...streamContext("video", { stream: "videos" }), target: parseSinkUri(`parquet:${dir}`), config: undefined, arrowSchema: arrowSchemaFor("video") }
    const encoder = gated(parquetEncoder({ compression: "zstd", rowGroupRows: 1000 }))
    const writer = await openPartWriter(context, { root: dir, partition: undefined, partRows, encoder })
    await writer.discardUncommitted!(resume === undefined ? undefined : { epoch: resume })
    return writer
  }
  return { gates, open }
}

describe("file sinks, pipelined commit (writesDuringFlush)", () => {
  test("a write during a flush goes to the next epoch's part; both epochs land exactly once, each in its own part", async () => {
    const dir = await tempDir()
    const writer = await resolveSink(`parquet:${dir}`).open(streamContext("video", { stream: "videos" }))
    expect(writer.writesDuringFlush).toBe(true)
    await writer.discardUncommitted?.(undefined)
    await writer.write({ records: videos(0, 300), epoch: 1 })
    let flushed = false
    const flush = writer.flush({ epoch: 1, checkpoint: checkpoint(1) }).then(() => void (flushed = true))
    // Taken while flush 1 encodes, writes, fsyncs and renames its part.
    await writer.write({ records: videos(300, 200), epoch: 2 })
    expect(flushed).toBe(false)
    await flush
    // Flush 1 made epoch 1 durable, and only it: epoch 2's rows wait for their own flush.
    const afterFirst = await partsIn(join(dir, "videos"))
    expect(afterFirst.map((name) => name.includes("-e0000000001-"))).toEqual([true])
    await writer.write({ records: videos(500, 100), epoch: 2 })
    await writer.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await writer.close()
    const parts = await partsIn(join(dir, "videos"))
    expect(parts).toHaveLength(2)
    expect(await idsIn(join(dir, "videos", parts[0]))).toEqual(idsOf(videos(0, 300)))
    expect(await idsIn(join(dir, "videos", parts[1]))).toEqual(idsOf(videos(300, 300)))
  })

  test("during a slow flush the next epoch's rows write no part, a full buffer waits; when the flush fails, no part of either epoch is left and the resumed run writes each record once", async () => {
    const dir = await tempDir()
    const gated = gatedParquet(dir)
    const writer = await gated.open(undefined, 100)
    expect(writer.writesDuringFlush).toBe(true)
    await writer.write({ records: videos(0, 50), epoch: 1 })
    const flush = writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    flush.catch(() => undefined)
    // Epoch 2 fills a part's buffer while flush 1 waits for its part's encoding: no part is written…
    await writer.write({ records: videos(50, 60), epoch: 2 })
    await writer.write({ records: videos(110, 60), epoch: 2 })
    await gatesHeld(gated, 1)
    // …and the next write waits for the flush.
    let third: "waiting" | "written" | Error = "waiting"
    const waiting = writer.write({ records: videos(170, 10), epoch: 2 }).then(() => void (third = "written"), (error: Error) => void (third = error))
    await settle()
    expect([gated.gates.length, third, await partsIn(join(dir, "videos"))]).toEqual([1, "waiting", []])
    gated.gates[0].fail(new Error("disk on fire"))
    await expect(flush).rejects.toThrow("disk on fire")
    await waiting
    expect(third).toEqual(new Error("disk on fire"))
    await expect(writer.close()).rejects.toThrow("disk on fire")
    expect(await partsIn(join(dir, "videos"))).toEqual([])
    // The run resumes from scratch (nothing committed): both epochs again, each once.
    const resumed = await gated.open(undefined)
    await resumed.write({ records: videos(0, 50), epoch: 1 })
    const again = resumed.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await resumed.write({ records: videos(50, 60), epoch: 2 })
    await gatesHeld(gated, 2)
    gated.gates[1].open()
    await again
    await resumed.write({ records: videos(110, 70), epoch: 2 })
    const last = resumed.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await gatesHeld(gated, 3)
    gated.gates[2].open()
    await last
    await resumed.close()
    expect(await idsIn(join(dir, "videos", "*.parquet"))).toEqual(idsOf(videos(0, 180)))
  })

  test("killed after flush N while N+1 was being written: the reopened writer keeps N's part, drops what N+1 left, and takes N+1 again", async () => {
    const dir = await tempDir()
    const uri = `parquet:${dir}?part_rows=100`
    const first = await resolveSink(uri).open(streamContext("video", { stream: "videos" }))
    await first.discardUncommitted?.(undefined)
    await first.write({ records: videos(0, 80), epoch: 1 })
    const flush = first.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await first.write({ records: videos(80, 90), epoch: 2 })
    await flush
    // Past part_rows once flush 1 resolved: an epoch-2 part on disk, never committed. Then the
    // process dies (the writer is never closed).
    await first.write({ records: videos(170, 30), epoch: 2 })
    expect((await partsIn(join(dir, "videos"))).map((name) => /-e(\d+)-/.exec(name)![1])).toEqual(["0000000001", "0000000002"])
    const resumed = await resolveSink(uri).open(streamContext("video", { stream: "videos", resume: { epoch: 1 } }))
    await resumed.discardUncommitted?.({ epoch: 1 })
    await resumed.write({ records: videos(80, 120), epoch: 2 })
    await resumed.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await resumed.close()
    await first.close()
    const rows = await duckdbQuery(`select count(*)::int n, count(distinct id)::int ids from read_parquet(${sqlString(join(dir, "videos", "*.parquet"))})`)
    expect(rows).toEqual([{ n: 200, ids: 200 }])
  })
})
