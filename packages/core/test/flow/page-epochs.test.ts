import { fc, test } from "@fast-check/vitest"
import * as Stream from "effect/Stream"
import { describe, expect } from "vitest"
import { pipeline, runPipeline } from "../../src/flow.js"
import type { Checkpoint, Source, SourcePage } from "../../src/internal.js"
import type { EventLog, FakeVideo } from "./doubles.js"
import { fakeVideo, MemoryCheckpointStore, MemorySink } from "./doubles.js"

/**
 * Pages naming their epoch (`SourcePage.epoch`, the replay's archived pages): each is committed in
 * that epoch, whatever the size and time limits, so a replayed output holds each row at the epoch
 * the harvest committed it in, and a resume of the harvest at any of its checkpoints keeps exactly
 * the rows of that epoch and before.
 */
const epochSource = (pages: ReadonlyArray<{ readonly epoch: number | undefined; readonly records: ReadonlyArray<FakeVideo> }>): Source<"video"> => ({
  kind: "video",
  stream: "videos",
  harvestId: "memory-harvest",
  pages: () =>
    Stream.fromIterable(pages.map(({ epoch, records }) =>
      ({ records: records.map((record) => ({ ...record })) as unknown as ReadonlyArray<never>, state: null, epoch }) satisfies SourcePage<never>
    )).pipe(Stream.rechunk(1))
})

/** Ascending epochs (gaps and repeats: an epoch of several pages, epochs without an archived page), a page of 0–3 records each. */
const epochPages = fc.array(fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 12 }).map((steps) => {
  let epoch = 0
  let id = 0
  return steps.map(([gap, size], i) => {
    epoch += i === 0 ? gap + 1 : gap
    return { epoch: Math.max(epoch, 1), records: Array.from({ length: size }, () => fakeVideo(++id)) }
  })
})

describe("pages that name their epoch", () => {
  test.prop([epochPages, fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.integer({ min: 0, max: 5 })])(
    "each page's records are committed in its epoch (not by --commit-every); a resume at any checkpoint keeps exactly the pages up to it",
    async (pages, epochMaxRecords, pipelined, resumeIndex) => {
      const log: EventLog = []
      const sink = new MemorySink("own", log, true)
      sink.pipelined = pipelined
      const store = new MemoryCheckpointStore(log)
      const summary = await runPipeline(pipeline(epochSource(pages)).to(sink.bound()), { checkpoints: store, epochMaxRecords, epochMaxMs: 0 })
      const epochs = [...new Set(pages.map((page) => page.epoch))]
      expect(summary.lastEpoch).toBe(epochs.at(-1))
      expect(sink.violations).toEqual([])
      // One commit per epoch the pages name, each holding that epoch's pages.
      expect(sink.lineage.map((checkpoint) => checkpoint.epoch)).toEqual(epochs)
      const held = sink.durable.flatMap((batch) => batch.records.map((record) => ({ epoch: batch.epoch, id: (record as FakeVideo).id })))
      expect(held).toEqual(pages.flatMap((page) => page.records.map((record) => ({ epoch: page.epoch, id: record.id }))))

      // A later run resuming at one of those checkpoints (the harvest's) drops only later epochs.
      const at = epochs[Math.min(resumeIndex, epochs.length - 1)]!
      const checkpoint: Checkpoint = { version: 1, harvestId: "memory-harvest", epoch: at, state: null, updatedAt: "2024-01-01T00:00:00.000Z" }
      await store.save(checkpoint)
      sink.checkpoint = checkpoint
      const next = fakeVideo(1000)
      const resumed = await runPipeline(pipeline(epochSource([{ epoch: undefined, records: [next] }])).to(sink.bound()), { checkpoints: store, resumeFloor: at })
      expect(resumed.lastEpoch).toBe(at + 1)
      expect(sink.records()).toEqual([...pages.filter((page) => page.epoch <= at).flatMap((page) => page.records), next])
    }
  )
})
