import type { BoundSink, BoundWriter, Source, Video } from "@tikflow/core/internal"
import { pipeline } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { resolveSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo } from "./support/records.js"

/**
 * The DuckDB writer declares `writesDuringFlush`: epoch N+1 is appended on its other staging lane
 * while epoch N merges. The table and checkpoint must be what the strict order gives, and a crash
 * or a failed flush mid-overlap must resume exactly once.
 */

const attached = (file: string, sql: string) => duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); USE db; ${sql}`)
const tableOf = (file: string) => attached(file, "select * from videos order by id")
const checkpointOf = (file: string) => attached(file, "select epoch, state from _tikflow_checkpoints")

/** Pages of videos with keys repeating across pages and epochs (later versions differ: like_count). */
const pagesOf = (sizes: ReadonlyArray<number>, keys: number): Array<Array<Video>> => {
  let n = 0
  return sizes.map((size) => Array.from({ length: size }, () => ({ ...sampleVideo(n % keys), like_count: n++ })))
}

const sourceOf = (pages: ReadonlyArray<ReadonlyArray<Video>>): Source<"video"> => ({
  kind: "video",
  stream: "videos",
  harvestId: "pipelined",
  pages: (options) => {
    const start = typeof options?.resumeFrom === "number" ? options.resumeFrom : 0
    return Stream.fromIterable(pages.map((records, i) => ({ records: records as ReadonlyArray<never>, state: i + 1 })).slice(start))
  }
})

/** The sink as opened by the runner, with what it saw: writes during a flush, and flush failures on demand. */
const observed = (sink: BoundSink, options: { readonly strict?: boolean; readonly failFlushOf?: number } = {}) => {
  const seen = { writesDuringFlush: 0 }
  const bound: BoundSink = {
    name: sink.name,
    open: async (context) => {
      const writer = await sink.open(context)
      let flushing = false
      const wrapped: BoundWriter = {
        checkpoints: writer.checkpoints,
        writesDuringFlush: options.strict === true ? false : writer.writesDuringFlush,
        write: async (batch) => {
          if (flushing) seen.writesDuringFlush++
          await writer.write(batch)
        },
        flush: async (commit) => {
          flushing = true
          try {
            if (commit.epoch === options.failFlushOf) {
              // Fails while the next epoch's pages are appended, before this epoch merged.
              await new Promise((resolve) => setTimeout(resolve, 20))
              throw new Error("disk full")
            }
            await writer.flush(commit)
          } finally {
            flushing = false
          }
        },
        close: () => writer.close()
      }
      return wrapped
    }
  }
  return { bound, seen }
}

const harvest = (file: string, pages: ReadonlyArray<ReadonlyArray<Video>>, epochMaxRecords: number, options?: Parameters<typeof observed>[1]) => {
  const sink = observed(resolveSink(`duckdb:${file}`), options)
  const run = pipeline(sourceOf(pages)).to(sink.bound).run({ epochMaxRecords, provenance: false })
  return { seen: sink.seen, exit: Effect.runPromiseExit(run) }
}

describe("duckdb sink, pipelined commit", () => {
  test.prop([fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 2, maxLength: 8 }), fc.integer({ min: 50, max: 600 }), fc.integer({ min: 100, max: 900 })], {
    numRuns: 4
  })("a harvest over several epochs gives the strict run's table and checkpoint", async (sizes, epochMaxRecords, keys) => {
    const dir = await tempDir()
    const pages = pagesOf(sizes, keys)
    const pipelined = harvest(join(dir, "pipelined.duckdb"), pages, epochMaxRecords)
    expect((await pipelined.exit)._tag).toBe("Success")
    const strict = harvest(join(dir, "strict.duckdb"), pages, epochMaxRecords, { strict: true })
    expect((await strict.exit)._tag).toBe("Success")
    expect(strict.seen.writesDuringFlush).toBe(0)
    const table = await tableOf(join(dir, "pipelined.duckdb"))
    expect(table).toEqual(await tableOf(join(dir, "strict.duckdb")))
    expect(table).toHaveLength(new Set(pages.flat().map((v) => v.id)).size)
    expect(await checkpointOf(join(dir, "pipelined.duckdb"))).toEqual(await checkpointOf(join(dir, "strict.duckdb")))
  })

  test("the next epoch's pages arrive during a merge; a flush failing then commits nothing of them, and the resume ends as the strict run", async () => {
    const dir = await tempDir()
    const pages = pagesOf(Array.from({ length: 24 }, () => 250), 2_000)
    const failed = harvest(join(dir, "pipelined.duckdb"), pages, 1_000, { failFlushOf: 3 })
    expect((await failed.exit)._tag).toBe("Failure")
    expect(failed.seen.writesDuringFlush).toBeGreaterThan(0)
    // Epochs 1 and 2 committed, with their checkpoint; epoch 3 (failed) and 4 (written meanwhile) not.
    expect(await checkpointOf(join(dir, "pipelined.duckdb"))).toEqual([{ epoch: 2n, state: "8" }])
    expect(await tableOf(join(dir, "pipelined.duckdb"))).toHaveLength(new Set(pages.slice(0, 8).flat().map((v) => v.id)).size)

    const resumed = harvest(join(dir, "pipelined.duckdb"), pages, 1_000)
    expect((await resumed.exit)._tag).toBe("Success")
    expect(resumed.seen.writesDuringFlush).toBeGreaterThan(0)
    const strict = harvest(join(dir, "strict.duckdb"), pages, 1_000, { strict: true })
    expect((await strict.exit)._tag).toBe("Success")
    expect(await tableOf(join(dir, "pipelined.duckdb"))).toEqual(await tableOf(join(dir, "strict.duckdb")))
    expect(await checkpointOf(join(dir, "pipelined.duckdb"))).toEqual(await checkpointOf(join(dir, "strict.duckdb")))
  })

  test("a crash while epoch N merges and N+1 is appended: reopened at N, the writer holds nothing of N+1 and takes it again", async () => {
    const file = join(await tempDir(), "crash.duckdb")
    const uri = `duckdb:${file}`
    const first = pagesOf([300], 1_000)[0]!
    const second = pagesOf([600], 1_000)[0]!.slice(300)
    const writer = await resolveSink(uri).open(streamContext("video", { stream: "videos" }))
    await writer.write({ records: first, epoch: 1 })
    const flushing = writer.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await writer.write({ records: second, epoch: 2 })
    await flushing
    await writer.close() // the "crash": epoch 2 never flushed
    expect(await checkpointOf(file)).toEqual([{ epoch: 1n, state: JSON.stringify({ cursor: 1 }) }])
    expect(await attached(file, "select count(*)::int n from videos")).toEqual([{ n: 300 }])

    const reopened = await resolveSink(uri).open(streamContext("video", { stream: "videos", resume: { epoch: 1 } }))
    await reopened.write({ records: second, epoch: 2 })
    await reopened.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await reopened.close()
    expect(await attached(file, "select count(*)::int n, count(distinct id)::int ids from videos")).toEqual([{ n: 600, ids: 600 }])
    expect(await checkpointOf(file)).toEqual([{ epoch: 2n, state: JSON.stringify({ cursor: 2 }) }])
  })
})
