import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { type Checkpoint, type CheckpointStore, FileCheckpointStore, FileHistoryStore, type HistoryStore, type StreamContext } from "@tikflow/core/internal"
import { describe, expect, it } from "vitest"
import { ChangedValuesLog } from "../../src/harvest/changed-values.js"
import type { OpenRun } from "../../src/harvest/open-run.js"
import { passHistory } from "../../src/harvest/pass-history.js"
import { RefusedItems } from "../../src/harvest/refused-items.js"
import { runJournalDir, settleDeadRuns } from "../../src/harvest/run-journal.js"
import { tempDir } from "../support/temp-dir.js"

const HARVEST = "comments-0123456789abcdef"
const identity = { id: HARVEST, endpoint: "comments", stream: "comments", request: { query: null } }
const plan = { type: "continue" as const, items: ["v1"], refetched: [] }

/** The CLI's checkpoints in `state` (as `openRun` keeps them). */
const checkpointsIn = (state: string) => new FileCheckpointStore(join(state, "checkpoints"))

/** The process dies here: nothing after this point runs (a SIGKILL). */
class Killed extends Error {}

/** The steps around each commit where a kill leaves a different state on disk. */
type Step = "before-save" | "after-save" | "before-history" | "after-history"

/**
 * The parts of an open run a pass's history uses, in `state`, with its history store. The records
 * the pass's pipeline writes are counted in `written` by the caller, as the runner's events do.
 */
const fakeRun = async (state: string, history: HistoryStore): Promise<OpenRun> =>
  ({
    input: { settings: { stateDir: state, now: () => Date.parse("2024-03-05T00:00:00Z") }, signal: new AbortController().signal, output: { notice: () => {} } },
    refused: await RefusedItems.open(join(state, "refused-items.json")),
    changed: await ChangedValuesLog.open(join(state, "changed-values.json")),
    history,
    workQueue: undefined,
    limit: undefined,
    written: 0
  }) as unknown as OpenRun

/** `store`, calling `at(step)` around each save (which may throw `Killed`). */
const steppedCheckpoints = (store: CheckpointStore, at: (step: Step) => void): CheckpointStore => ({
  ...store,
  load: (id) => store.load(id),
  clear: (id) => store.clear(id),
  save: async (checkpoint) => {
    at("before-save")
    await store.save(checkpoint)
    at("after-save")
  }
})
const steppedHistory = (store: HistoryStore, at: (step: Step) => void): HistoryStore => ({
  location: store.location,
  read: (id) => store.read(id),
  list: () => store.list(),
  update: async (id, f) => {
    at("before-history")
    const record = await store.update(id, f)
    at("after-history")
    return record
  }
})

/**
 * One run of the harvest's pass: from the checkpoint `state` holds (or none), it writes and commits
 * `epochs` (each its records) through the pass's history and counter, as the pipeline does; `at` may
 * kill it once the run has begun. With `failsAt`, that epoch's records are written and the pipeline
 * fails before its flush (the pass ends failed). Otherwise a run not killed ends complete.
 */
const runPass = async (state: string, epochs: ReadonlyArray<number>, at: (step: Step) => void, failsAt?: number): Promise<void> => {
  let begun = false
  const history = steppedHistory(new FileHistoryStore(join(state, "history")), (step) => begun && at(step))
  const run = await fakeRun(state, history)
  const pass = passHistory(run, { harvestId: HARVEST, stream: "comments" }, ["v1"])
  await pass.begin(identity, plan, ["ndjson:/x"])
  begun = true
  const files = checkpointsIn(state)
  const resumed = (await files.load(HARVEST))?.epoch ?? 0
  const { checkpoints, counter } = pass.commits(steppedCheckpoints(files, at))
  const writer = await counter.open({ recordKind: "comment", resume: resumed === 0 ? undefined : { epoch: resumed } } as unknown as StreamContext)
  for (let epoch = resumed + 1; epoch <= epochs.length; epoch++) {
    const records = Array.from({ length: epochs[epoch - 1]! }, (_, i) => ({ id: `${epoch}-${i}` }))
    await writer.write({ records: records as never, epoch })
    run.written += records.length
    if (epoch === failsAt) return void await pass.failed(new Error("a sink's flush failed"), epoch - 1)
    const checkpoint: Checkpoint = { version: 1, harvestId: HARVEST, epoch, state: { epoch }, updatedAt: "2024-03-05T00:00:00Z" }
    await writer.flush({ epoch, checkpoint })
    await checkpoints.save(checkpoint)
  }
  await pass.ended("complete", epochs.length)
}

const sum = (epochs: ReadonlyArray<number>) => epochs.reduce((a, b) => a + b, 0)

/** Runs the harvest to the end after `state`'s first run; its runs' records in the history, in order. */
const resumedToTheEnd = async (state: string, epochs: ReadonlyArray<number>) => {
  await runPass(state, epochs, () => {})
  return (await new FileHistoryStore(join(state, "history")).read(HARVEST))!.runs
}

/** The journal a SIGKILLed process leaves, as a dead process of this host's (the test's own is kept apart by pid). */
const asLeftByDeadProcess = (state: string): void => {
  for (const name of readdirSync(runJournalDir(state))) {
    const path = join(runJournalDir(state), name)
    const [header, ...rest] = readFileSync(path, "utf8").split("\n")
    writeFileSync(join(runJournalDir(state), `dead-${name}`), [JSON.stringify({ ...JSON.parse(header!), pid: 2_000_000_000, host: hostname() }), ...rest].join("\n"))
  }
}

describe("a run killed around a commit: the history's runs count every committed record once", () => {
  /** Kills the run at the `n`th (from 0) `step` of its commits; the journal settled as the next command would. */
  const killedAt = async (state: string, epochs: ReadonlyArray<number>, step: Step, n: number) => {
    let seen = 0
    await runPass(state, epochs, (now) => {
      if (now === step && seen++ === n) throw new Killed()
    }).then(
      () => expect.unreachable("the run was not killed"),
      (error: unknown) => expect(error).toBeInstanceOf(Killed)
    )
    asLeftByDeadProcess(state)
    const history = new FileHistoryStore(join(state, "history"))
    await settleDeadRuns(state, history, () => {})
    return (await history.read(HARVEST))!.runs[0]!
  }

  it("killed right after its second checkpoint's save, before its journal says so: the killed run counts both epochs", async () => {
    const state = tempDir()
    const killed = await killedAt(state, [20, 111, 30], "after-save", 1)
    expect(killed).toMatchObject({ status: "killed", records: 131 })
    const runs = await resumedToTheEnd(state, [20, 111, 30])
    expect(runs.map((run) => [run.status, run.records])).toEqual([["killed", 131], ["complete", 30]])
  })

  test.prop([
    fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }),
    fc.nat(),
    fc.constantFrom<Step>("before-save", "after-save", "before-history", "after-history")
  ], { numRuns: 40 })("killed at any step of any commit, then resumed to the end: the runs' records sum to the records committed", async (epochs, n, step) => {
    const state = tempDir()
    const killed = await killedAt(state, epochs, step, n % epochs.length)
    // What the killed run committed: every epoch up to the checkpoint it saved.
    const reached = (await checkpointsIn(state).load(HARVEST))?.epoch ?? 0
    expect(killed).toMatchObject({ status: "killed", records: sum(epochs.slice(0, reached)) })
    const runs = await resumedToTheEnd(state, epochs)
    expect(runs.map((run) => run.status)).toEqual(["killed", "complete"])
    expect(sum(runs.map((run) => run.records))).toBe(sum(epochs))
  })

  test.prop([fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }), fc.nat()], { numRuns: 40 })(
    "a run failing with an epoch written and not committed counts the epochs it committed: that one is the next run's",
    async (epochs, n) => {
      const state = tempDir()
      const failsAt = 1 + (n % epochs.length)
      await runPass(state, epochs, () => {}, failsAt)
      const runs = await resumedToTheEnd(state, epochs)
      expect(runs.map((run) => [run.status, run.records])).toEqual([["failed", sum(epochs.slice(0, failsAt - 1))], ["complete", sum(epochs.slice(failsAt - 1))]])
    }
  )
})

describe("a team's worker killed as it finishes a work-queue item: the history counts each item once, for one run", () => {
  const days = { type: "continue" as const, days: [["2024-01-01", "2024-01-02"] as const], refetched: [] }
  /**
   * A worker finishing the items the queue does not hold done (`queueDone`), each with its counts
   * (what its checkpoints carried: every earlier worker's share), then marked done on the queue.
   */
  const worker = async (state: string, items: ReadonlyArray<number>, queueDone: Set<number>, first: boolean, at: (step: Step) => void) => {
    let begun = false
    const history = steppedHistory(new FileHistoryStore(join(state, "history")), (step) => begun && at(step))
    const run = Object.assign(await fakeRun(state, history), { workQueue: {} })
    const pass = passHistory(run, { harvestId: HARVEST, stream: "videos" }, [])
    await pass.begin(identity, first ? days : { ...days, type: "resume" as const }, ["postgres://team"])
    begun = true
    for (const [i, n] of items.entries()) {
      if (queueDone.has(i)) continue
      await pass.itemDone(`${HARVEST}-item-${i}`, [], { "2024-01-01": n })
      queueDone.add(i)
    }
    await pass.ended("complete", undefined)
  }

  test.prop([fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 5 }), fc.nat(), fc.constantFrom<Step>("before-history", "after-history")], { numRuns: 40 })(
    "killed before or after an item's history update (before the queue marks it done), the item finished again by the next worker: the harvest and its runs count every item once",
    async (items, n, step) => {
      const state = tempDir()
      const queueDone = new Set<number>()
      let seen = 0
      await worker(state, items, queueDone, true, (now) => {
        if (now === step && seen++ === n % items.length) throw new Killed()
      }).then(() => expect.unreachable("the worker was not killed"), (error: unknown) => expect(error).toBeInstanceOf(Killed))
      asLeftByDeadProcess(state)
      await settleDeadRuns(state, new FileHistoryStore(join(state, "history")), () => {})
      await worker(state, items, queueDone, false, () => {})
      const record = (await new FileHistoryStore(join(state, "history")).read(HARVEST))!
      expect(record.runs.map((run) => run.status)).toEqual(["killed", "complete"])
      expect(record.records).toBe(sum(items))
      expect(sum(record.runs.map((run) => run.records))).toBe(sum(items))
    }
  )
})
