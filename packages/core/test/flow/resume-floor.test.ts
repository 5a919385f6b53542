import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { pipeline, runPipeline } from "../../src/flow.js"
import type { Checkpoint } from "../../src/internal.js"
import { StoreBehindError } from "../../src/internal.js"
import { type LoadedCheckpoint, resumeDecision } from "../../src/pipeline/resume-point.js"
import type { EventLog, FakeVideo } from "./doubles.js"
import { fakeVideo, MemoryCheckpointStore, MemorySink, memorySource } from "./doubles.js"

const page = (...ids: Array<number>): Array<FakeVideo> => ids.map(fakeVideo)
const checkpointAt = (epoch: number, state: unknown = { at: epoch }): Checkpoint =>
  ({ version: 1, harvestId: "memory-harvest", epoch, state, updatedAt: "2024-01-01T00:00:00.000Z" })

describe("the resume floor (resume-point.ts)", () => {
  const stores = fc.array(fc.option(fc.nat({ max: 8 }), { nil: undefined }), { maxLength: 4 })
    .map((epochs): Array<LoadedCheckpoint> => epochs.map((epoch, i) => ({ store: `s${i}`, checkpoint: epoch === undefined ? undefined : checkpointAt(epoch) })))

  test.prop([stores, fc.nat({ max: 8 })])(
    "refused iff earlier passes committed (floor > 0) and some store holds less (none counts as less; no store at all too); else the lowest, a pass's start at the floor",
    (loaded, floor) => {
      const decision = resumeDecision(loaded, floor)
      const below = loaded.filter(({ checkpoint }) => checkpoint === undefined || checkpoint.epoch < floor)
      if (floor > 0 && (loaded.length === 0 || below.length > 0)) {
        expect(decision.type).toBe("behind")
        if (decision.type !== "behind") return
        expect(decision.behind.map(({ store }) => store)).toEqual(loaded.length === 0 ? ["no checkpoint store"] : below.map(({ store }) => store))
        expect(decision.behind.every(({ epoch }) => epoch === undefined || epoch < floor)).toBe(true)
        return
      }
      expect(decision.type).toBe("resume")
      if (decision.type !== "resume") return
      const epochs = loaded.map(({ checkpoint }) => checkpoint?.epoch)
      if (epochs.length === 0 || epochs.includes(undefined)) {
        expect(decision.from).toBeUndefined()
        return
      }
      const lowest = Math.min(...(epochs as Array<number>))
      expect(decision.from?.epoch).toBe(lowest)
      // At the floor the pass begins: no earlier pass's state reaches its source.
      expect(decision.from?.state).toEqual(floor > 0 && lowest === floor ? null : { at: lowest })
    }
  )

  /** A first pass of three pages, one epoch each, into a sink without a store and one with its own (epochs 1..3). */
  const firstPass = async () => {
    const log: EventLog = []
    const plain = new MemorySink("plain", log)
    const own = new MemorySink("own", log, true)
    const store = new MemoryCheckpointStore(log)
    await runPipeline(pipeline(memorySource([page(1), page(2), page(3)])).to(plain.bound(), own.bound()), { checkpoints: store, epochMaxRecords: 1 })
    expect(store.saved?.epoch).toBe(3)
    // The next pass continues after epoch 3, from scratch (as the CLI starts a `continue` pass).
    await store.save(checkpointAt(3, null))
    return { log, plain, own, store }
  }

  test("a store lost its checkpoint before the second pass: the run fails naming it, before any page or sink step; the earlier rows stay", async () => {
    const { log, plain, own, store } = await firstPass()
    own.rollBack(99)
    const pagesAsked: Array<number> = []
    const logBefore = log.length
    const writesBefore = plain.writes + own.writes
    const failed = runPipeline(
      pipeline(memorySource([page(4), page(5)], { onPage: (i) => pagesAsked.push(i) })).to(plain.bound(), own.bound()),
      { checkpoints: store, epochMaxRecords: 1, resumeFloor: 3 }
    )
    await expect(failed).rejects.toBeInstanceOf(StoreBehindError)
    await expect(failed).rejects.toMatchObject({ floor: 3, behind: [{ store: "own", epoch: undefined }] })
    await expect(failed).rejects.toThrow("harvest memory-harvest: own holds no checkpoint of it, but the harvest committed through epoch 3 before this pass")
    expect(pagesAsked).toEqual([])
    expect(plain.writes + own.writes).toBe(writesBefore)
    // Opened (to read the sink's store) and closed, nothing else: no flush, no save.
    expect(log.slice(logBefore).every((event) => event.startsWith("open:"))).toBe(true)
    expect(plain.records()).toEqual(page(1, 2, 3))
    expect(store.saved).toEqual(checkpointAt(3, null))
  })

  test("without a floor the same run starts over: every sink drops the first pass (what the floor prevents)", async () => {
    const { plain, own, store } = await firstPass()
    own.rollBack(99)
    await runPipeline(pipeline(memorySource([page(4), page(5)])).to(plain.bound(), own.bound()), { checkpoints: store, epochMaxRecords: 1 })
    expect(plain.records()).toEqual(page(4, 5))
  })

  test("a store restored at the floor, with the first pass's state there: the second pass starts from its first page", async () => {
    const { plain, own, store } = await firstPass()
    const second = [page(4), page(5), page(6)]
    // The second pass commits its first page (epoch 4), then dies.
    await expect(runPipeline(pipeline(memorySource(second, { crashAtPage: 1 })).to(plain.bound(), own.bound()), {
      checkpoints: store,
      epochMaxRecords: 1,
      resumeFloor: 3
    })).rejects.toThrow()
    expect(store.saved?.epoch).toBe(4)
    own.rollBack(1)
    // Its checkpoint at epoch 3 says the first pass's source was done (state 3): resumed from it, the
    // second pass's source would skip its three pages.
    expect(own.checkpoint).toMatchObject({ epoch: 3, state: 3 })
    await runPipeline(pipeline(memorySource(second)).to(plain.bound(), own.bound()), { checkpoints: store, epochMaxRecords: 1, resumeFloor: 3 })
    expect(plain.records()).toEqual(page(1, 2, 3, 4, 5, 6))
    expect(own.records()).toEqual(page(1, 2, 3, 4, 5, 6))
  })
})
