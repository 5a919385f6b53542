import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Checkpoint, CheckpointStore } from "@tikflow/core/internal"
import { afterEach, describe, expect, it } from "vitest"
import { ChangedValuesLog, carriedBy, withChanges } from "../../src/harvest/changed-values.js"

/** A store holding one item's checkpoint in memory (the work queue's row, for these tests). */
const storeWith = (saved: Checkpoint | undefined): CheckpointStore => ({
  name: "memory",
  load: async () => saved,
  save: async (checkpoint: Checkpoint) => void (saved = checkpoint),
  clear: async () => void (saved = undefined)
})
const checkpointAt = (epoch: number): Checkpoint =>
  ({ version: 1, harvestId: "item", epoch, state: null, updatedAt: "2024-01-01T00:00:00Z" }) as Checkpoint
const harvest = { harvestId: "h", stream: "videos" }
const surrogates = (count: number) => [{ sink: "parquet:./out", changes: [{ column: "video_description", reason: "lone-surrogate", count }] }]

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
/** A fresh run state: another worker's, which knows nothing of the item. */
const freshLog = () => {
  const dir = mkdtempSync(join(tmpdir(), "tikflow-changes-"))
  dirs.push(dir)
  return ChangedValuesLog.open(join(dir, "changed-values.json"))
}

describe("a work-queue item's changes taken over from its checkpoint", () => {
  it("starts from what the checkpoint of the epoch it resumes at carries, and says nothing", async () => {
    const store = storeWith(undefined)
    // The first worker committed epoch 2 with 3 values changed, carried by the item's checkpoint.
    await withChanges(store, () => surrogates(3)).save(checkpointAt(2))
    const log = await freshLog()
    const notices: Array<string> = []
    await log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message)).resumed(2)
    expect(log.pipelineChanges("item")).toEqual(surrogates(3))
    expect(notices).toEqual([])
  })

  it("says so when it resumes at an epoch its checkpoint carries no counts for (a sink's checkpoint behind the queue's)", async () => {
    const store = storeWith(undefined)
    await withChanges(store, () => surrogates(3)).save(checkpointAt(2))
    const log = await freshLog()
    const notices: Array<string> = []
    await log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message)).resumed(1)
    expect(log.pipelineChanges("item")).toEqual([])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/^item: resumes at epoch 1, which its checkpoint carries no changed-value counts for; values an earlier worker stored changed before it are not counted$/)
  })

  it("says nothing when this run state itself holds the item's changes (its own resume)", async () => {
    const store = storeWith(checkpointAt(5))
    const log = await freshLog()
    const notices: Array<string> = []
    const journal = log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message))
    await journal.hold(1, surrogates(2))
    await journal.resumed(1)
    expect(log.pipelineChanges("item")).toEqual(surrogates(2))
    expect(notices).toEqual([])
  })
})
