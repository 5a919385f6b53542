import type { Video } from "@tikflow/core/internal"
import { FileWriteError } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { tableFromIPC } from "apache-arrow"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { injectFullDisk } from "../../../test/support/full-disk.js"
import { resolveSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo } from "./support/records.js"

// A disk that fills while an epoch is written: the sink must fail that epoch (so its checkpoint is
// never committed), and a resumed run on a disk with room must end with every record exactly once
// and every file readable. The tmpfs variant of this, through the CLI, is in test/reliability.

const files = async (dir: string): Promise<Array<string>> =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))

const readers = {
  parquet: async (dir: string) =>
    (await duckdbQuery(`select id from read_parquet(${sqlString(join(dir, "videos", "**", "*.parquet"))})`)).map((row) => String(row.id)),
  arrow: async (dir: string) => {
    const ids: Array<string> = []
    for (const file of (await files(dir)).filter((f) => f.endsWith(".arrow"))) {
      ids.push(...Array.from(tableFromIPC(await readFile(file)).getChild("id")!.toArray() as ArrayLike<string>))
    }
    return ids
  },
  ndjson: async (dir: string) =>
    (await readFile(join(dir, "videos.ndjson"), "utf8")).split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as Video).id)
}
type Format = keyof typeof readers

const uriOf = (format: Format, dir: string) => (format === "ndjson" ? `ndjson:${dir}` : `${format}:${dir}?part_rows=1000`)

const first = Array.from({ length: 40 }, (_, i) => sampleVideo(i + 1))
const second = Array.from({ length: 60 }, (_, i) => sampleVideo(i + 101))

/** Writes and flushes one epoch; the failure, if any. */
const writeEpoch = async (writer: Awaited<ReturnType<ReturnType<typeof resolveSink>["open"]>>, records: ReadonlyArray<Video>, epoch: number) => {
  try {
    await writer.write({ records, epoch })
    await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
    return undefined
  } catch (error) {
    return error
  }
}

/** Bytes epoch 2 needs on disk in `format`: measured on a scratch directory. */
const bytesOfSecondEpoch = async (format: Format): Promise<number> => {
  const writer = await resolveSink(uriOf(format, await tempDir())).open(streamContext("video", { stream: "videos" }))
  expect(await writeEpoch(writer, first, 1)).toBeUndefined()
  const meter = await injectFullDisk(Number.POSITIVE_INFINITY)
  try {
    expect(await writeEpoch(writer, second, 2)).toBeUndefined()
  } finally {
    meter.restore()
  }
  await writer.close()
  return meter.bytesWritten
}

describe.each(["parquet", "arrow", "ndjson"] as const)("%s sink on a disk that fills", (format) => {
  test.prop([fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 6, examples: [[0.9999]] })(
    "fails the epoch with ENOSPC; a resume with room holds every record once, every file readable",
    async (cut) => {
      const needed = await bytesOfSecondEpoch(format)
      const room = Math.min(needed - 1, Math.floor(needed * cut))
      const dir = await tempDir()
      const writer = await resolveSink(uriOf(format, dir)).open(streamContext("video", { stream: "videos" }))
      expect(await writeEpoch(writer, first, 1)).toBeUndefined()

      const disk = await injectFullDisk(room)
      const failure = await writeEpoch(writer, second, 2)
      disk.restore()
      expect(disk.shortWrites + disk.refusedWrites).toBeGreaterThan(0)
      expect(failure).toBeInstanceOf(Error)
      expect((failure as Error).message).toMatch(/failed after \d+ of \d+ bytes: no space left on device \(ENOSPC\)/)
      expect((failure as { cause?: unknown }).cause ?? failure).toBeInstanceOf(FileWriteError)
      await writer.close().catch(() => undefined)
      expect((await files(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([])

      // Room again: resume after the last committed epoch (1) and deliver epoch 2 again.
      const resumed = await resolveSink(uriOf(format, dir)).open(streamContext("video", { stream: "videos", resume: { epoch: 1 } }))
      expect(await writeEpoch(resumed, second, 2)).toBeUndefined()
      await resumed.close()
      const ids = (await readers[format](dir)).sort()
      expect(ids).toEqual([...first, ...second].map((v) => v.id).sort())
    }
  )
})
