import type { Checkpoint, CheckpointStore, StreamContext } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { countsAtResume, dayCounter, withCounts } from "../../src/harvest/day-counts.js"

/** A store holding one harvest's checkpoint in memory. */
const storeWith = (saved: Checkpoint | undefined): CheckpointStore & { saved: Checkpoint | undefined } => {
  const store = {
    saved,
    name: "memory",
    load: async () => store.saved,
    save: async (checkpoint: Checkpoint) => void (store.saved = checkpoint),
    clear: async () => void (store.saved = undefined)
  }
  return store
}
const checkpointAt = (epoch: number, extra: object = {}): Checkpoint =>
  ({ version: 1, harvestId: "h", epoch, state: null, updatedAt: "2024-01-01T00:00:00Z", ...extra }) as Checkpoint
const noEarlier = async () => undefined

describe("countsAtResume: one rule for a job's pass and a work-queue item", () => {
  it("a fresh start counts from none, without reading anything", async () => {
    const store = storeWith(checkpointAt(4, { dayCounts: { "2024-01-01": 9 } }))
    expect(await countsAtResume(store, "h", undefined, () => Promise.reject(new Error("not asked")))).toEqual({})
  })

  it("the checkpoint's counts when it is of the epoch resumed", async () => {
    const store = storeWith(undefined)
    await withCounts(store, { "2024-01-01": 3, "2024-01-02": 5 }).save(checkpointAt(2))
    expect(await countsAtResume(store, "h", 2, () => Promise.reject(new Error("not asked")))).toEqual({ "2024-01-01": 3, "2024-01-02": 5 })
  })

  it("a checkpoint of a later epoch (the runner resumed lower, from a sink's own checkpoint) is not taken: the earlier counts, else none", async () => {
    const store = storeWith(checkpointAt(4, { dayCounts: { "2024-01-01": 9 } }))
    expect(await countsAtResume(store, "h", 3, async (epoch) => (epoch === 3 ? { "2024-01-01": 7 } : undefined))).toEqual({ "2024-01-01": 7 })
    // A work-queue item: no history of its own to fall back on.
    expect(await countsAtResume(store, "h", 3, noEarlier)).toBeUndefined()
  })

  it("a checkpoint without counts (an older tikflow's, a `continue` pass's start) falls back to the earlier counts", async () => {
    expect(await countsAtResume(storeWith(checkpointAt(2)), "h", 2, async () => ({ "*": 12 }))).toEqual({ "*": 12 })
    expect(await countsAtResume(storeWith(undefined), "h", 2, async () => ({ "*": 12 }))).toEqual({ "*": 12 })
    expect(await countsAtResume(storeWith(undefined), "h", 2, noEarlier)).toBeUndefined()
  })

  it("the counter opens at what it is given and adds only flushed epochs", async () => {
    const counter = dayCounter(() => ({ "2024-01-01": 2 }))
    const writer = await counter.sink.open({ recordKind: "video", resume: { epoch: 1 } } as unknown as StreamContext)
    await writer.write({ records: [{ create_time: 1704067200 }, { create_time: 1704153600 }] as never, epoch: 2 })
    expect(counter.counts).toEqual({ "2024-01-01": 2 })
    await writer.flush({ epoch: 2, checkpoint: checkpointAt(2) })
    expect(counter.counts).toEqual({ "2024-01-01": 3, "2024-01-02": 1 })
  })

  it("takes the next epoch's writes while a flush runs, so the runner's commit stays pipelined: a flush counts its epoch alone", async () => {
    const counter = dayCounter(() => ({}))
    const writer = await counter.sink.open({ recordKind: "video" } as unknown as StreamContext)
    // In every harvest's sinks: a writer without the flag makes the runner stop at each epoch for every sink's flush.
    expect(writer.writesDuringFlush).toBe(true)
    await writer.write({ records: [{ create_time: 1704067200 }, { create_time: 1704153600 }] as never, epoch: 1 })
    await writer.write({ records: [{ create_time: 1704067200 }] as never, epoch: 2 })
    await writer.flush({ epoch: 1, checkpoint: checkpointAt(1) })
    expect(counter.counts).toEqual({ "2024-01-01": 1, "2024-01-02": 1 })
    expect(counter.committedRecords()).toBe(2)
    await writer.write({ records: [{ create_time: 1704153600 }] as never, epoch: 3 })
    await writer.flush({ epoch: 2, checkpoint: checkpointAt(2) })
    expect(counter.counts).toEqual({ "2024-01-01": 2, "2024-01-02": 1 })
    expect(counter.committedRecords()).toBe(3)
  })
})
