import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Checkpoint, StreamContext } from "@tikflow/core/internal"
import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { EpochPending } from "../../src/harvest/epoch-pending.js"
import { idCollector, readCollected } from "../../src/harvest/id-collector.js"
import { queueCollector } from "../../src/harvest/work-queue-collector.js"

const commitOf = (epoch: number) =>
  ({ epoch, checkpoint: { version: 1, harvestId: "h", epoch, state: null, updatedAt: "2024-01-01T00:00:00Z" } as Checkpoint })
const videos = (...ids: Array<string>) => ids.map((id) => ({ id, username: `u${id}` })) as never

describe("EpochPending: a flush takes the epochs it commits, never a later one", () => {
  it("any interleaving of writes and increasing flushes: each flush gets exactly the untaken writes of its epochs, oldest first", () => {
    const step = fc.oneof(
      fc.record({ write: fc.integer({ min: 1, max: 6 }), value: fc.nat() }),
      fc.record({ flush: fc.integer({ min: 0, max: 2 }) })
    )
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const pending = new EpochPending<Array<number>>(() => [])
      const written: Array<{ epoch: number; value: number }> = []
      let flushed = 0
      for (const s of steps) {
        if ("write" in s) {
          // The runner never writes an epoch it has already flushed.
          const epoch = Math.max(s.write, flushed + 1)
          pending.of(epoch).push(s.value)
          written.push({ epoch, value: s.value })
        } else {
          const through = flushed + s.flush
          const expected = written.filter((w) => w.epoch > flushed && w.epoch <= through)
            .sort((a, b) => a.epoch - b.epoch).map((w) => w.value)
          expect(pending.takeThrough(through).flat()).toEqual(expected)
          flushed = through
        }
      }
    }))
  })
})

describe("the id collectors keep the runner's commit pipelined", () => {
  it("the file collector appends only the epoch a flush commits; the next epoch's ids, written meanwhile, wait for theirs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tikflow-collector-"))
    const writer = await idCollector(dir, "videos", ["video_id"]).open({ harvestId: "h1", recordKind: "video" } as unknown as StreamContext)
    expect(writer.writesDuringFlush).toBe(true)
    await writer.write({ records: videos("1", "2"), epoch: 1 })
    await writer.write({ records: videos("3"), epoch: 2 })
    await writer.flush(commitOf(1))
    expect(await readFile(join(dir, "videos", "h1.tsv"), "utf8")).toBe("1\tvideo_id\t1\n1\tvideo_id\t2\n")
    await writer.flush(commitOf(2))
    expect(await readCollected(dir, "videos", "video_id")).toEqual(["1", "2", "3"])
  })

  it("the work queue's collector adds only the epoch a flush commits", async () => {
    const added: Array<[string, ReadonlyArray<string>]> = []
    const queue = { addValues: async (_queue: string, field: string, values: ReadonlyArray<string>) => void added.push([field, values]) }
    const writer = await queueCollector(queue as unknown as PostgresWorkQueue, "q", "videos", ["video_id", "username"])
      .open({ harvestId: "h1", recordKind: "video" } as unknown as StreamContext)
    expect(writer.writesDuringFlush).toBe(true)
    await writer.write({ records: videos("1", "1"), epoch: 1 })
    await writer.write({ records: videos("3"), epoch: 2 })
    await writer.flush(commitOf(1))
    expect(added).toEqual([["video_id", ["1"]], ["username", ["u1"]]])
    await writer.flush(commitOf(2))
    expect(added.slice(2)).toEqual([["video_id", ["3"]], ["username", ["u3"]]])
  })
})
