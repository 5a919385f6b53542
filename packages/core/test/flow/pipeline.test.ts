import { getEventListeners } from "node:events"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Deferred, Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import type { Transform } from "../../src/flow.js"
import { dedupe, enrichAs, lookupFrom, lookupJoin, persistentKeys, pipeline, runPipeline } from "../../src/flow.js"
import { ServerError, SinkError } from "../../src/internal.js"
import type { ChangesJournal, ProgressEvent } from "../../src/internal.js"
import { settleHeld } from "../../src/internal.js"
import type { EventLog, FakeVideo } from "./doubles.js"
import { fakeVideo, MemoryCheckpointStore, MemorySink, memorySource } from "./doubles.js"

const page = (...ids: Array<number>): Array<FakeVideo> => ids.map(fakeVideo)

/** Passes records through; fails (typed) on the record with id `failOn`. */
const failingStage = (failOn: string | undefined): Transform<FakeVideo, FakeVideo, "stage failed"> => ({
  name: "failing",
  open: () =>
    Effect.succeed({
      process: (records) => (records.some((r) => r.id === failOn) ? Effect.fail("stage failed" as const) : Effect.succeed(records)),
      end: Effect.succeed([]),
      held: () => 0,
      commit: () => Effect.void,
      stats: () => ({ recordsIn: 0, recordsOut: 0, duplicates: 0, dropped: 0 })
    })
})

/** For every saved epoch, every sink flushed that epoch before the save. */
const checkpointsFollowFlushes = (log: EventLog, sinkNames: ReadonlyArray<string>) => {
  log.forEach((event, index) => {
    if (!event.startsWith("save:")) return
    const epoch = event.slice(5)
    const before = log.slice(0, index)
    for (const name of sinkNames) expect(before).toContain(`flush:${name}:${epoch}`)
  })
}

describe("pipeline", () => {
  test("runs source → stages → sinks and reports a summary", async () => {
    const log: EventLog = []
    const a = new MemorySink("a", log)
    const b = new MemorySink("b", log)
    const store = new MemoryCheckpointStore(log)
    const progress: Array<string> = []
    const summary = await runPipeline(
      pipeline(memorySource([page(1, 2), page(2, 3), page(), page(3, 4, 1)], { retriesPerPage: 1 }))
        .through(dedupe())
        .to(a.bound(), b.bound()),
      { checkpoints: store, epochMaxRecords: 2, onProgress: (e) => progress.push(e.type) }
    )
    expect(a.records()).toEqual(page(1, 2, 3, 4))
    expect(b.records()).toEqual(page(1, 2, 3, 4))
    expect(summary).toMatchObject({
      status: "completed",
      resumed: false,
      pages: 4,
      recordsIn: 7,
      recordsOut: 4,
      duplicatesDropped: 3,
      retries: 4,
      stages: [{ name: "dedupe", recordsIn: 7, recordsOut: 4, duplicates: 3, dropped: 0 }],
      sinks: [{ name: "a", recordsWritten: 4 }, { name: "b", recordsWritten: 4 }]
    })
    expect(summary.epochsCommitted).toBe(summary.lastEpoch)
    expect(store.saved?.state).toBe(4)
    expect(progress.filter((t) => t === "checkpoint")).toHaveLength(summary.epochsCommitted)
    checkpointsFollowFlushes(log, ["a", "b"])
  })

  test("an aborted run commits what it wrote, is resumable, and the resume finishes exactly once", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const store = new MemoryCheckpointStore(log)
    const pages = [page(1), page(2), page(3), page(4), page(5)]
    const controller = new AbortController()
    const first = await runPipeline(
      pipeline(memorySource(pages, { onPage: (i) => i === 2 && controller.abort() })).to(sink.bound()),
      { checkpoints: store, signal: controller.signal, epochMaxRecords: 100 }
    )
    expect(first.status).toBe("interrupted")
    expect(first.lastEpoch).toBe(1)
    const second = await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store })
    expect(second).toMatchObject({ status: "completed", resumed: true, resumedFromEpoch: 1 })
    expect(sink.records()).toEqual(pages.flat())
  })

  test("a signal aborted while the run waits for the source's next page stops it at once, and the run leaves no listener on it", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const store = new MemoryCheckpointStore(log)
    const controller = new AbortController()
    const pages = [page(1), page(2), page(3), page(4)]
    // Pages 0-2 flow (each waits on the signal anew), then page 3 never comes: only the abort ends the wait.
    const source = memorySource(pages, {
      beforePage: (i) => (i === 3 ? Effect.andThen(Effect.sync(() => setTimeout(() => controller.abort(), 5)), Effect.never) : Effect.void)
    })
    const summary = await runPipeline(pipeline(source).to(sink.bound()), { checkpoints: store, signal: controller.signal, epochMaxRecords: 100 })
    expect(summary).toMatchObject({ status: "interrupted", pages: 3, lastEpoch: 1 })
    expect(store.saved?.state).toBe(3)
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
    const resumed = await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store })
    expect(resumed).toMatchObject({ status: "completed", resumed: true, pages: 1 })
    expect(sink.records()).toEqual(pages.flat())
  })

  test("a run that completes leaves no listener on its signal", async () => {
    const controller = new AbortController()
    const sink = new MemorySink("s", [])
    const summary = await runPipeline(pipeline(memorySource([page(1), page(2), page(3)])).to(sink.bound()), { signal: controller.signal })
    expect(summary.status).toBe("completed")
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
  })

  test("a run stopped by its signal (as --max-records stops it) ends the source's request ahead before its sinks commit: no quota spent meanwhile", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const controller = new AbortController()
    // The run stops at page 0 (the abort a record limit makes). The source has, as a source that
    // requests a page ahead of a slow reader does, a request in the background of its stream: it
    // waits (a rate limiter, a retry's back-off) and would go out once the sink's commit starts.
    let commitStarted: () => void = () => {}
    const committing = new Promise<void>((resolve) => (commitStarted = resolve))
    sink.beforeFlush = async () => commitStarted()
    let sentAfterStop = 0
    let interrupted = 0
    const inner = memorySource([page(1), page(2), page(3)], { onPage: (i) => i === 0 && controller.abort("max-records") })
    const source = {
      ...inner,
      pages: (options?: Parameters<typeof inner.pages>[0]) =>
        Stream.unwrap(Effect.as(
          Effect.forkScoped(Effect.promise(() => committing).pipe(
            Effect.andThen(Effect.sync(() => sentAfterStop++)),
            Effect.onInterrupt(() => Effect.sync(() => interrupted++))
          ), { startImmediately: true }),
          inner.pages(options)
        ))
    }
    const summary = await runPipeline(pipeline(source).to(sink.bound()), { signal: controller.signal, epochMaxRecords: 100 })
    expect(summary).toMatchObject({ status: "interrupted", pages: 1 })
    expect(sink.records()).toEqual(page(1))
    expect({ sentAfterStop, interrupted }).toEqual({ sentAfterStop: 0, interrupted: 1 })
  })

  test("interrupting the run's fiber while it waits for the source commits the pages already written", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const store = new MemoryCheckpointStore(log)
    let release: () => void = () => {}
    const waiting = new Promise<void>((resolve) => (release = resolve))
    const source = memorySource([page(1), page(2), page(3)], {
      beforePage: (i) => (i === 2 ? Effect.andThen(Effect.sync(release), Effect.never) : Effect.void)
    })
    const fiber = Effect.runFork(pipeline(source).to(sink.bound()).run({ checkpoints: store, epochMaxRecords: 100 }))
    await waiting
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(store.saved?.state).toBe(2)
    expect(sink.records()).toEqual(page(1, 2))
  })

  const stuckAfterDedupe = (dir: string, mode: "block" | "fail" | "answer") => {
    let release: () => void = () => {}
    const reached = new Promise<void>((resolve) => (release = resolve))
    // The lookup for page 3 never answers (or fails): page 3 is then past the persistent dedupe,
    // whose key store already holds its keys, but not in any sink.
    const lookup = lookupFrom(
      (keys: ReadonlyArray<string>) =>
        !keys.includes("3") || mode === "answer"
          ? Effect.succeed(keys.map((id) => ({ id })))
          : Effect.andThen(Effect.sync(release), mode === "block" ? Effect.never : Effect.fail("lookup down" as const)),
      (x: { id: string }) => x.id
    )
    const runnable = pipeline(memorySource([page(1), page(2), page(3), page(4)]))
      .through(dedupe({ store: persistentKeys(dir) }), lookupJoin({ key: (v: FakeVideo) => v.id, lookup, combine: enrichAs("extra") }))
    return { runnable, reached }
  }

  test.each(["block", "fail"] as const)(
    "interrupted or failed mid-stage (%s): no commit of a half-processed page; the rerun delivers it exactly once",
    async (mode) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-pipeline-"))
      try {
        const log: EventLog = []
        const sink = new MemorySink("s", log)
        const store = new MemoryCheckpointStore(log)
        const first = stuckAfterDedupe(dir, mode)
        const fiber = Effect.runFork(first.runnable.to(sink.bound()).run({ checkpoints: store, epochMaxRecords: 100 }))
        await first.reached
        if (mode === "block") await Effect.runPromise(Fiber.interrupt(fiber))
        const exit = await Effect.runPromise(Fiber.await(fiber))
        expect(exit._tag).toBe("Failure")
        expect(store.saved).toBeUndefined()
        const second = stuckAfterDedupe(dir, "answer")
        await runPipeline(second.runnable.to(sink.bound()), { checkpoints: store })
        expect(sink.records().map((r) => (r as FakeVideo).id)).toEqual(["1", "2", "3", "4"])
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  )

  test("a typed source failure commits the pages already written, then fails with that error", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const store = new MemoryCheckpointStore(log)
    const pages = [page(1), page(2), page(3), page(4)]
    const error = await runPipeline(pipeline(memorySource(pages, { failAtPage: 2 })).to(sink.bound()), {
      checkpoints: store,
      epochMaxRecords: 100
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect(store.saved?.state).toBe(2)
    expect(sink.records()).toEqual(page(1, 2))
    await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store })
    expect(sink.records()).toEqual(pages.flat())
  })

  test("a sink's own checkpoint store: resumes from it alone, and from the lowest epoch when stores disagree", async () => {
    const log: EventLog = []
    const transactional = new MemorySink("t", log, true)
    const pages = [page(1), page(2), page(3)]
    const controller = new AbortController()
    await runPipeline(pipeline(memorySource(pages, { onPage: (i) => i === 1 && controller.abort() })).to(transactional.bound()), {
      signal: controller.signal
    })
    expect(transactional.checkpoint?.epoch).toBe(1)
    // No runner store: the sink's store alone says where to resume.
    const resumed = await runPipeline(pipeline(memorySource(pages)).to(transactional.bound()), { epochMaxRecords: 1 })
    expect(resumed).toMatchObject({ resumed: true, resumedFromEpoch: 1 })
    expect(transactional.records()).toEqual(pages.flat())

    // The runner's store is ahead of the sink's (say the sink's database was restored from a
    // backup): resume from the lower one, reopening the sinks at that epoch.
    const store = new MemoryCheckpointStore(log)
    const plain = new MemorySink("p", log)
    await runPipeline(pipeline(memorySource(pages)).to(plain.bound(), transactional.bound()), { checkpoints: store, fresh: true, epochMaxRecords: 1 })
    expect(store.saved?.epoch).toBe(3)
    transactional.checkpoint = { ...transactional.checkpoint!, epoch: 1, state: 1 }
    log.length = 0
    const again = await runPipeline(pipeline(memorySource(pages)).to(plain.bound(), transactional.bound()), { checkpoints: store })
    expect(again).toMatchObject({ resumed: true, resumedFromEpoch: 1, pages: 2 })
    expect(log.filter((e) => e.startsWith("open:"))).toEqual(["open:p:3", "open:t:3", "open:p:1", "open:t:1"])
    expect(plain.records()).toEqual(pages.flat())
  })

  test("an epoch past its time is committed while the source is still waiting (virtual time)", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const store = new MemoryCheckpointStore(log)
    const program = Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let waiting = false
      const source = memorySource([page(1), page(2)], {
        beforePage: (i) =>
          i === 1
            ? Effect.andThen(
              Effect.sync(() => (waiting = true)),
              Deferred.await(gate)
            )
            : Effect.void
      })
      const fiber = yield* Effect.forkChild(
        pipeline(source).to(sink.bound()).run({ checkpoints: store, epochMaxMs: 1_000, epochMaxRecords: 100 })
      )
      // The run has written page 1 and waits for page 2.
      while (!waiting) yield* Effect.yieldNow
      const settle = Effect.gen(function*() {
        for (let i = 0; i < 50 && store.saved === undefined; i++) yield* Effect.yieldNow
      })
      yield* settle
      expect(store.saved).toBeUndefined()
      yield* TestClock.adjust(999)
      yield* settle
      expect(store.saved).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(store.saved?.state).toBe(1)
      expect(sink.records()).toEqual(page(1))
      yield* Deferred.succeed(gate, undefined)
      return yield* Fiber.join(fiber)
    })
    const summary = await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
    expect(summary).toMatchObject({ status: "completed", epochsCommitted: 2 })
    expect(store.saved?.state).toBe(2)
  })

  test("a failing sink flush fails the run with SinkError and saves no checkpoint", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    sink.failFlushAt = 1
    const store = new MemoryCheckpointStore(log)
    const error = await runPipeline(pipeline(memorySource([page(1), page(2)])).to(sink.bound()), { checkpoints: store }).catch((e) => e)
    expect(error).toBeInstanceOf(SinkError)
    expect((error as SinkError).operation).toBe("flush")
    expect(store.saved).toBeUndefined()
  })

  test("a sink whose write fails while another sink's write of the page is still going: the run waits for it before it fails and closes the sinks", async () => {
    const log: EventLog = []
    const a = new MemorySink("a", log)
    const b = new MemorySink("b", log)
    // Sink a's third write is slow (a disk); sink b fails its third write at once.
    let aWriteEnded = false
    a.beforeWrite = (n) => (n === 3 ? new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => void (aWriteEnded = true)) : undefined)
    b.failWriteAt = { write: 3, how: "reject" }
    const store = new MemoryCheckpointStore(log)
    const pages = [page(1), page(2), page(3), page(4)]
    const error = await runPipeline(pipeline(memorySource(pages)).to(a.bound(), b.bound()), { checkpoints: store, epochMaxRecords: 2 }).catch((e) => e)
    expect(error).toMatchObject({ sink: "b", operation: "write" })
    expect(aWriteEnded).toBe(true)
    expect(a.violations).toEqual([])
    expect(store.saved).toMatchObject({ epoch: 1, state: 2 })
  })

  test("a sink whose flush fails while another sink's flush is still going: the run waits for it before it fails and closes the sinks", async () => {
    const log: EventLog = []
    const a = new MemorySink("a", log)
    const b = new MemorySink("b", log)
    let aFlushEnded = false
    a.beforeFlush = (epoch) => (epoch === 2 ? new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => void (aFlushEnded = true)) : Promise.resolve())
    b.failFlushAt = 2
    const store = new MemoryCheckpointStore(log)
    const pages = [page(1), page(2), page(3), page(4)]
    const error = await runPipeline(pipeline(memorySource(pages)).to(a.bound(), b.bound()), { checkpoints: store, epochMaxRecords: 2 }).catch((e) => e)
    expect(error).toMatchObject({ sink: "b", operation: "flush" })
    expect(aFlushEnded).toBe(true)
    expect(a.violations).toEqual([])
    expect(store.saved).toMatchObject({ epoch: 1, state: 2 })
  })

  test.each(["reject", "throw"] as const)("a sink whose write fails (%s) fails the run with its SinkError; the other sink's pages are not committed, and a rerun delivers every record once to both", async (how) => {
    const log: EventLog = []
    const a = new MemorySink("a", log)
    const b = new MemorySink("b", log)
    b.failWriteAt = { write: 3, how }
    const store = new MemoryCheckpointStore(log)
    const pages = [page(1), page(2), page(3), page(4)]
    const error = await runPipeline(pipeline(memorySource(pages)).to(a.bound(), b.bound()), { checkpoints: store, epochMaxRecords: 2 }).catch((e) => e)
    expect(error).toBeInstanceOf(SinkError)
    expect(error).toMatchObject({ sink: "b", operation: "write", message: "b: write failed: disk full" })
    // Epoch 1 (pages 1-2) was committed; page 3 reached sink a but its epoch never was.
    expect(store.saved).toMatchObject({ epoch: 1, state: 2 })
    expect(a.records()).toEqual(page(1, 2))
    const summary = await runPipeline(pipeline(memorySource(pages)).to(a.bound(), b.bound()), { checkpoints: store, epochMaxRecords: 2 })
    expect(summary).toMatchObject({ status: "completed", resumed: true, sinks: [{ name: "a", recordsWritten: 2 }, { name: "b", recordsWritten: 2 }] })
    expect(a.records()).toEqual(pages.flat())
    expect(b.records()).toEqual(pages.flat())
  })

  test("keep-last dedupe holds records, so the only checkpoint is at the end", async () => {
    const log: EventLog = []
    const sink = new MemorySink("s", log)
    const store = new MemoryCheckpointStore(log)
    const summary = await runPipeline(
      pipeline(memorySource([page(1, 2), page(1), page(3)])).through(dedupe({ keep: { last: "like_count" } })).to(sink.bound()),
      { checkpoints: store, epochMaxRecords: 1 }
    )
    expect(summary.epochsCommitted).toBe(1)
    expect(sink.records()).toEqual(page(1, 2, 3))
  })

  /**
   * A journal as a caller keeps one (the CLI: in its run state, which outlives the process): held
   * changes survive a "crash", and core's settleHeld says which count at each checkpoint and resume.
   */
  const memoryJournal = () => {
    type Entry = { sink: string; epoch: number; count: number }
    let held: ReadonlyArray<Entry> = []
    let counted: ReadonlyArray<Entry> = []
    const settle = (epoch: number | undefined, resuming: boolean, sinks?: ReadonlyArray<string>) => {
      const mine = (entry: Entry) => sinks === undefined || sinks.includes(entry.sink)
      const settled = settleHeld({ counted: counted.filter(mine), held: held.filter(mine) }, epoch, resuming)
      counted = [...counted.filter((entry) => !mine(entry)), ...settled.counted]
      held = [...held.filter((entry) => !mine(entry)), ...settled.held]
    }
    const journal: ChangesJournal = {
      resumed: (epoch, sinks) => settle(epoch, true, sinks),
      hold: async (epoch, changes) => {
        held = held.filter((entry) => entry.epoch !== epoch)
        for (const { sink, changes: list } of changes) held = [...held, { sink, epoch, count: list.reduce((sum, change) => sum + change.count, 0) }]
      },
      committed: (epoch) => settle(epoch, false)
    }
    const total = (sink: string) => counted.filter((entry) => entry.sink === sink).reduce((sum, entry) => sum + entry.count, 0)
    return { ...journal, counted: total }
  }

  const failurePlan = fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("crash" as const), page: fc.nat({ max: 12 }) }),
      fc.record({ kind: fc.constant("abort" as const), page: fc.nat({ max: 12 }) }),
      fc.record({ kind: fc.constant("source-fails" as const), page: fc.nat({ max: 12 }) }),
      fc.record({ kind: fc.constant("stage-fails" as const), id: fc.integer({ min: 0, max: 25 }).map(String) }),
      fc.record({ kind: fc.constant("interrupt" as const), page: fc.nat({ max: 12 }), ticks: fc.nat({ max: 40 }) }),
      fc.record({ kind: fc.constant("save-fails" as const), nth: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant("killed-after-save" as const), nth: fc.integer({ min: 1, max: 4 }) }),
      // Before the run, a store goes back `back` checkpoints (an older file restored) or loses them all:
      // the runner's, or the transactional sink's with its data. The run resumes below what was counted, or starts over.
      fc.record({ kind: fc.constant("rolled-back" as const), store: fc.constantFrom("runner" as const, "sink" as const), back: fc.nat({ max: 3 }) }),
      fc.record({ kind: fc.constant("flush-fails" as const), sink: fc.constantFrom(0, 1), nth: fc.integer({ min: 1, max: 4 }) }),
      fc.record({
        kind: fc.constant("write-fails" as const),
        sink: fc.constantFrom(0, 1),
        nth: fc.integer({ min: 1, max: 8 }),
        how: fc.constantFrom("reject" as const, "throw" as const)
      })
    ),
    { maxLength: 6 }
  )

  type FailurePlan = typeof failurePlan extends fc.Arbitrary<infer T> ? T : never

  /**
   * Runs the pages with each failure in turn, then once more without, on the same stores. With
   * `flushTicks`, both sinks are pipelined (`writesDuringFlush`) and each flush takes that many
   * turns of the event loop, so the next epoch's pages arrive meanwhile.
   */
  const restartsUntilDone = async (
    idPages: ReadonlyArray<ReadonlyArray<number>>,
    failures: FailurePlan,
    epochMaxRecords: number,
    transactional: boolean,
    withDedupe: boolean,
    flushTicks?: number
  ) => {
    const pages = idPages.map((ids) => page(...ids))
    const log: EventLog = []
    const sinks = [new MemorySink("a", log), new MemorySink("b", log, transactional)]
    if (flushTicks !== undefined) {
      for (const sink of sinks) {
        sink.pipelined = true
        sink.beforeFlush = async () => {
          for (let i = 0; i < flushTicks; i++) await new Promise((resolve) => setImmediate(resolve))
        }
      }
    }
    // Each sink says it stored the id of every record with an odd id changed: over every run, the
    // changes counted are each record's once — by the journal (held before each flush, settled at
    // each checkpoint and resume) even when a run dies right after a checkpoint's save, and by the
    // values-changed events (sent once an epoch committed) never more than once.
    const odd = (records: ReadonlyArray<unknown>) => records.filter((record) => Number((record as FakeVideo).id) % 2 === 1).length
    for (const sink of sinks) sink.changesOf = (records) => (odd(records) === 0 ? undefined : [{ column: "id", reason: "odd", count: odd(records) }])
    const counted = new Map<string, number>()
    const onProgress = (event: ProgressEvent) => {
      if (event.type === "values-changed") for (const change of event.changes) counted.set(event.sink, (counted.get(event.sink) ?? 0) + change.count)
    }
    const journal = memoryJournal()
    const store = new MemoryCheckpointStore(log)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-pipeline-"))
    try {
      for (const failure of [...failures, undefined]) {
        sinks.forEach((s) => {
          s.failFlushAt = undefined
          s.failWriteAt = undefined
        })
        store.failSaveAt = undefined
        store.dieAfterSaveAt = undefined
        const controller = new AbortController()
        let source = memorySource(pages)
        if (failure?.kind === "crash") source = memorySource(pages, { crashAtPage: failure.page })
        if (failure?.kind === "source-fails") source = memorySource(pages, { failAtPage: failure.page })
        if (failure?.kind === "abort") source = memorySource(pages, { onPage: (i) => i === failure.page && controller.abort() })
        if (failure?.kind === "save-fails") store.failSaveAt = failure.nth
        if (failure?.kind === "killed-after-save") store.dieAfterSaveAt = failure.nth
        // A sink without a store of its own cannot lose its data and be resumed: it has no say in where the run resumes.
        if (failure?.kind === "rolled-back") (failure.store === "runner" ? store : transactional ? sinks[1] : undefined)?.rollBack(failure.back)
        if (failure?.kind === "flush-fails") sinks[failure.sink].failFlushAt = failure.nth
        if (failure?.kind === "write-fails") {
          const sink = sinks[failure.sink]
          sink.failWriteAt = { write: sink.writes + failure.nth, how: failure.how }
        }
        let interrupt: () => void = () => {}
        if (failure?.kind === "interrupt") {
          // Interrupt the run's fiber from outside, a few microtasks after page k is read: it
          // lands anywhere — mid-stage, mid-write, mid-commit.
          source = memorySource(pages, {
            onPage: (i) => {
              if (i !== failure.page) return
              let ticks = failure.ticks
              const later = () => (ticks-- > 0 ? queueMicrotask(later) : interrupt())
              queueMicrotask(later)
            }
          })
        }
        const failOn = failure?.kind === "stage-fails" ? failure.id : undefined
        const base0 = pipeline(source)
        const runnable0 = withDedupe
          ? base0.through(dedupe({ store: persistentKeys(dir) }), failingStage(failOn)).to(...sinks.map((s) => s.bound()))
          : base0.through(failingStage(failOn)).to(...sinks.map((s) => s.bound()))
        const fiber = Effect.runFork(runnable0.run({ checkpoints: store, signal: controller.signal, epochMaxRecords, onProgress, changesJournal: journal }))
        interrupt = () => fiber.interruptUnsafe()
        const exit = await Effect.runPromise(Fiber.await(fiber))
        const result = exit._tag === "Success" ? exit.value : exit.cause
        if (failure === undefined) expect(result).toMatchObject({ status: "completed" })
      }
      const all = pages.flat()
      const expected = withDedupe ? all.filter((v, i) => all.findIndex((w) => w.id === v.id) === i) : all
      expect(sinks[0].records()).toEqual(expected)
      expect(sinks[1].records()).toEqual(expected)
      const expectedOdd = odd(expected)
      expect([journal.counted("a"), journal.counted("b")]).toEqual([expectedOdd, expectedOdd])
      // The events tell each commit once; an epoch a rolled-back store has the sinks deliver again is told again.
      if (failures.every((failure) => failure.kind !== "rolled-back")) {
        expect(counted.get("a") ?? 0).toBeLessThanOrEqual(expectedOdd)
        expect(counted.get("b") ?? 0).toBeLessThanOrEqual(expectedOdd)
      }
      checkpointsFollowFlushes(log, ["a", "b"])
      expect([...sinks[0].violations, ...sinks[1].violations]).toEqual([])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  test.prop([
    fc.array(fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 5 }), { maxLength: 12 }),
    failurePlan,
    fc.integer({ min: 1, max: 6 }),
    fc.boolean(),
    fc.boolean()
  ], { numRuns: 150 })(
    "with random crashes and restarts on the same stores, sinks end with every record exactly once, and the values they said they changed are counted once",
    restartsUntilDone
  )

  test.prop([
    fc.array(fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 5 }), { maxLength: 12 }),
    failurePlan,
    fc.integer({ min: 1, max: 6 }),
    fc.boolean(),
    fc.boolean(),
    fc.integer({ min: 0, max: 4 })
  ], { numRuns: 100 })(
    "pipelined sinks (the next epoch written during a flush): random crashes and restarts still end with every record exactly once, its changed values counted once",
    restartsUntilDone
  )
})
