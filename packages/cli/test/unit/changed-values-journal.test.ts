import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { open } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import type { Checkpoint, CheckpointStore } from "@tikflow/core/internal"
import { afterEach, describe, expect, it, vi } from "vitest"
import { type CarriedEpoch, ChangedValuesLog, carriedBy, changedTotal, withChanges } from "../../src/harvest/changed-values.js"

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
const parquet = "parquet:./out"
const surrogates = (count: number, sink = parquet) => [{ sink, changes: [{ column: "video_description", reason: "lone-surrogate", count }] }]
/** What an item's checkpoint carries of epoch `epoch`, committed by the worker `by`. */
const carried = (epoch: number, count: number, by = "worker-a"): CarriedEpoch => ({ ...surrogates(count)[0]!, epoch, by })
const total = (log: ChangedValuesLog) => changedTotal(log.changed())

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "tikflow-changes-"))
  dirs.push(dir)
  return join(dir, "changed-values.json")
}
/** A fresh run state: another worker's, which knows nothing of the item. */
const freshLog = () => ChangedValuesLog.open(tempFile())

describe("a work-queue item's changes taken over from its checkpoint", () => {
  it("starts from what the checkpoint of the epoch it resumes at carries, says nothing, and leaves them out of this worker's summary", async () => {
    const store = storeWith(undefined)
    // The first worker committed epochs 1 and 2, carried by the item's checkpoint.
    await withChanges(store, () => [carried(1, 2), carried(2, 1)]).save(checkpointAt(2))
    const log = await freshLog()
    const notices: Array<string> = []
    await log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message)).resumed(2, [parquet])
    // The item's whole, for the team's history; none of it is this worker's.
    expect(log.pipelineChanges("item")).toEqual(surrogates(3))
    expect(log.changed()).toEqual([])
    expect(notices).toEqual([])
  })

  it("counts what it commits itself in its summary, the item's whole in the history, and carries both on", async () => {
    const store = storeWith(undefined)
    await withChanges(store, () => [carried(1, 2)]).save(checkpointAt(1))
    const file = tempFile()
    const log = await ChangedValuesLog.open(file)
    const journal = log.journal("item", harvest, carriedBy(store, "item"))
    await journal.resumed(1, [parquet])
    await journal.hold(2, surrogates(5))
    journal.committed(2)
    expect(total(log)).toBe(5)
    expect(log.pipelineChanges("item")).toEqual(surrogates(7))
    expect(log.carriedThrough("item", 2)).toEqual([carried(1, 2), carried(2, 5, log.id)])
    // Taken back by this worker later: its own epoch is its own again.
    await log.settled()
    const again = await ChangedValuesLog.open(file)
    await again.journal("item", harvest, carriedBy(storeWith({ ...checkpointAt(2), changes: log.carriedThrough("item", 2) } as Checkpoint), "item")).resumed(2, [parquet])
    expect(total(again)).toBe(5)
  })

  it("resumes below the queue row's checkpoint (a sink's checkpoint behind it) with the epochs up to its own, without a notice", async () => {
    const store = storeWith(undefined)
    await withChanges(store, () => [carried(1, 2), carried(2, 1)]).save(checkpointAt(2))
    const log = await freshLog()
    const notices: Array<string> = []
    await log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message)).resumed(1, [parquet])
    expect(log.pipelineChanges("item")).toEqual(surrogates(2))
    expect(notices).toEqual([])
  })

  it("says so when it resumes below a checkpoint of an earlier tikflow (one total through its epoch)", async () => {
    const store = storeWith(undefined)
    await withChanges(store, () => surrogates(3) as unknown as ReadonlyArray<CarriedEpoch>).save(checkpointAt(2))
    const log = await freshLog()
    const notices: Array<string> = []
    await log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message)).resumed(1, [parquet])
    expect(log.pipelineChanges("item")).toEqual([])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/^item: resumes at epoch 1, which its checkpoint carries no changed-value counts for; values an earlier worker stored changed before it are not counted$/)
    // At its own epoch it is the item's whole, from an earlier worker.
    await log.journal("item", harvest, carriedBy(store, "item")).resumed(2, [parquet])
    expect(log.pipelineChanges("item")).toEqual(surrogates(3))
  })

  it("holds an item's changes without an fsync (its row's checkpoint carries them), a harvest's with one", async () => {
    const file = tempFile()
    const handle = await open(`${file}.probe`, "w")
    const sync = vi.spyOn(Object.getPrototypeOf(handle) as { sync: () => Promise<void> }, "sync")
    await handle.close()
    try {
      const log = await ChangedValuesLog.open(file)
      await log.journal("item", harvest, carriedBy(storeWith(undefined), "item")).hold(1, surrogates(2))
      expect(JSON.parse(readFileSync(file, "utf8")).held).toHaveLength(1)
      expect(sync).not.toHaveBeenCalled()
      await log.journal("h", harvest).hold(1, surrogates(2))
      expect(sync).toHaveBeenCalled()
    } finally {
      sync.mockRestore()
    }
  })

  it("says nothing when this run state itself holds the item's changes (its own resume)", async () => {
    const store = storeWith(checkpointAt(5))
    const log = await freshLog()
    const notices: Array<string> = []
    const journal = log.journal("item", harvest, carriedBy(store, "item"), (message) => notices.push(message))
    await journal.hold(1, surrogates(2))
    await journal.resumed(1, [parquet])
    expect(log.pipelineChanges("item")).toEqual(surrogates(2))
    expect(notices).toEqual([])
  })
})

describe("a harvest's own changes, per epoch", () => {
  /** A log whose pipeline committed `counts` (epoch i + 1 changed counts[i] values). */
  const committedLog = async (counts: ReadonlyArray<number>) => {
    const log = await freshLog()
    const journal = log.journal("h", harvest)
    await journal.resumed(undefined, [parquet])
    for (const [i, count] of counts.entries()) {
      await journal.hold(i + 1, surrogates(count))
      journal.committed(i + 1)
    }
    return { log, journal }
  }

  it("a resume below what was counted (an older database restored) drops the later epochs: delivered again, counted once", async () => {
    const { log, journal } = await committedLog([2, 3, 4])
    await journal.resumed(1, [parquet])
    expect(total(log)).toBe(2)
    await journal.hold(2, surrogates(3))
    journal.committed(2)
    expect(total(log)).toBe(5)
  })

  it("a start-over (a sink's store lost its checkpoint) drops every epoch of the sinks that start over, not another job's", async () => {
    const { log, journal } = await committedLog([2, 3])
    const other = log.journal("h", harvest)
    await other.hold(3, surrogates(7, "duckdb:./other.duckdb"))
    other.committed(3)
    await journal.resumed(undefined, [parquet])
    expect(log.changed()).toEqual([{ ...harvest, ...surrogates(7, "duckdb:./other.duckdb")[0]! }])
  })

  it("reads a file of an earlier tikflow (counts without epochs) as counted before any epoch: kept at a resume, dropped at a start-over", async () => {
    const file = tempFile()
    writeFileSync(file, JSON.stringify({ version: 1, id: "abc", sinks: [{ ...harvest, ...surrogates(4)[0]! }], held: [] }))
    const log = await ChangedValuesLog.open(file)
    await log.journal("h", harvest).resumed(3, [parquet])
    expect(total(log)).toBe(4)
    await log.journal("h", harvest).resumed(undefined, [parquet])
    expect(total(log)).toBe(0)
  })

  /**
   * Any sequence of runs: epochs delivered (held, then committed or killed during their flush),
   * processes killed (before or after the count's save), resumes at the checkpoint, below it (an
   * older store restored) or from nothing (a store lost): what counts is what the sinks hold.
   */
  const step = fc.oneof(
    fc.record({ kind: fc.constant("epoch" as const), count: fc.nat({ max: 5 }), commits: fc.boolean() }),
    fc.record({ kind: fc.constant("kill" as const), countSaved: fc.boolean() }),
    fc.record({ kind: fc.constant("restored" as const), back: fc.nat({ max: 4 }) }),
    fc.constant({ kind: "lost" as const })
  )
  test.prop([fc.array(step, { maxLength: 14 })], { numRuns: 60 })(
    "over kills, resumes and start-overs, the count is the changes of the epochs stored",
    async (steps) => {
      const file = tempFile()
      const stored = new Map<number, number>()
      let checkpoint: number | undefined
      let log = await ChangedValuesLog.open(file)
      let journal = log.journal("h", harvest)
      let afterHold: string | undefined
      const resume = async (at: number | undefined) => {
        for (const epoch of stored.keys()) if (at === undefined || epoch > at) stored.delete(epoch)
        checkpoint = at
        await log.settled()
        log = await ChangedValuesLog.open(file)
        journal = log.journal("h", harvest)
        await journal.resumed(at, [parquet])
      }
      await resume(undefined)
      for (const s of steps) {
        if (s.kind === "epoch") {
          const epoch = (checkpoint ?? 0) + 1
          await journal.hold(epoch, surrogates(s.count))
          afterHold = readFileSync(file, "utf8")
          if (!s.commits) {
            afterHold = undefined
            await resume(checkpoint) // killed during the flush: the run resumes at the checkpoint before it
            continue
          }
          stored.set(epoch, s.count)
          checkpoint = epoch
          journal.committed(epoch)
        } else if (s.kind === "kill") {
          await log.settled()
          // Killed right after the checkpoint's save, before the count's: the file as the hold left it.
          if (!s.countSaved && afterHold !== undefined) writeFileSync(file, afterHold)
          await resume(checkpoint)
        } else if (s.kind === "restored") {
          await resume(Math.max(0, (checkpoint ?? 0) - s.back))
        } else {
          await resume(undefined)
        }
        afterHold = undefined
      }
      await resume(checkpoint)
      expect(total(log)).toBe([...stored.values()].reduce((a, b) => a + b, 0))
    }
  )
})
