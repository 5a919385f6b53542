import { Effect, Fiber } from "effect"
import { describe, expect, test } from "vitest"
import { pipeline, runPipeline } from "../../src/flow.js"
import { SinkError } from "../../src/internal.js"
import type { EventLog, FakeVideo } from "./doubles.js"
import { fakeVideo, MemoryCheckpointStore, MemorySink, memorySource } from "./doubles.js"

/**
 * A pipelined commit: when every sink declares `writesDuringFlush`, the runner seals an epoch,
 * starts its flush and delivers the next epoch's pages meanwhile; the checkpoint follows the
 * flush; one commit in flight at most; a failed flush poisons the epoch written during it.
 */

const pagesOf = (count: number): Array<Array<FakeVideo>> => Array.from({ length: count }, (_, i) => [fakeVideo(i + 1)])

/** Lets the event loop turn until `done()` or `max` turns passed (a bound, not a timing assertion). */
const until = async (done: () => boolean, max = 500) => {
  for (let i = 0; i < max && !done(); i++) await new Promise((resolve) => setImmediate(resolve))
}

/** The sink's writes logged between one of its flushes starting and that flush resolving. */
const writesDuringFlushes = (log: EventLog, name: string): Array<string> => {
  const out: Array<string> = []
  let flushing: string | undefined
  for (const event of log) {
    const start = new RegExp(`^flush-start:(\\d+):${name}$`).exec(event)
    if (start !== null) flushing = start[1]
    else if (event === `flush:${name}:${flushing}`) flushing = undefined
    else if (flushing !== undefined && event.startsWith("write:") && event.endsWith(`:${name}`)) out.push(event)
  }
  return out
}

const pipelinedSink = (name: string, log: EventLog) => {
  const sink = new MemorySink(name, log)
  sink.pipelined = true
  sink.traced = true
  return sink
}

/** Each flush waits until the next epoch's first write arrived (or the bound passed). */
const waitForNextEpoch = (sink: MemorySink, log: EventLog) => (epoch: number) =>
  until(() => log.includes(`write:${epoch + 1}:${sink.name}`))

describe("pipelined commit", () => {
  test("a sink declaring writesDuringFlush gets the next epoch's pages while its flush runs; each checkpoint follows its flush", async () => {
    const log: EventLog = []
    const sink = pipelinedSink("s", log)
    sink.beforeFlush = waitForNextEpoch(sink, log)
    const store = new MemoryCheckpointStore(log)
    const pages = pagesOf(7)
    const checkpoints: Array<number> = []
    const summary = await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), {
      checkpoints: store,
      epochMaxRecords: 2,
      onProgress: (event) => event.type === "checkpoint" && checkpoints.push(event.epoch)
    })
    expect(summary).toMatchObject({ status: "completed", epochsCommitted: 4, lastEpoch: 4 })
    expect(checkpoints).toEqual([1, 2, 3, 4])
    expect(sink.records()).toEqual(pages.flat())
    expect(store.saved).toMatchObject({ epoch: 4, state: 7 })
    // Epochs 2–4 were written while the flush before them ran, and only in their own epoch.
    expect([...new Set(writesDuringFlushes(log, "s"))]).toEqual(["write:2:s", "write:3:s", "write:4:s"])
    expect(sink.violations).toEqual([])
    for (const epoch of [1, 2, 3, 4]) {
      expect(log.indexOf(`flush:s:${epoch}`)).toBeLessThan(log.indexOf(`save:${epoch}`))
      // At most one commit in flight: the next flush starts after this checkpoint.
      if (epoch < 4) expect(log.indexOf(`save:${epoch}`)).toBeLessThan(log.indexOf(`flush-start:${epoch + 1}:s`))
    }
  })

  test("a run with any sink without the flag keeps the strict order for every sink", async () => {
    const log: EventLog = []
    const pipelined = pipelinedSink("a", log)
    const strict = new MemorySink("b", log)
    strict.traced = true
    // Flushes take a while: a runner that did not wait would deliver pages meanwhile.
    pipelined.beforeFlush = () => until(() => false, 20)
    strict.beforeFlush = () => until(() => false, 20)
    const store = new MemoryCheckpointStore(log)
    const pages = pagesOf(6)
    await runPipeline(pipeline(memorySource(pages)).to(pipelined.bound(), strict.bound()), { checkpoints: store, epochMaxRecords: 2 })
    expect(writesDuringFlushes(log, "a")).toEqual([])
    expect(writesDuringFlushes(log, "b")).toEqual([])
    expect([...pipelined.violations, ...strict.violations]).toEqual([])
    expect(pipelined.records()).toEqual(pages.flat())
    expect(strict.records()).toEqual(pages.flat())
  })

  test("a failing flush of epoch N fails the run; nothing of epoch N+1, written meanwhile, is committed; the resume delivers it once", async () => {
    const log: EventLog = []
    const sink = pipelinedSink("s", log)
    sink.beforeFlush = waitForNextEpoch(sink, log)
    sink.failFlushAt = 2
    const store = new MemoryCheckpointStore(log)
    const pages = pagesOf(8)
    const error = await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store, epochMaxRecords: 2 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SinkError)
    expect((error as SinkError).operation).toBe("flush")
    expect(log).toContain("write:3:s")
    expect(log.filter((event) => event.startsWith("flush-start:"))).toEqual(["flush-start:1:s", "flush-start:2:s"])
    expect(store.saved).toMatchObject({ epoch: 1, state: 2 })
    expect(sink.records()).toEqual(pages.slice(0, 2).flat())

    sink.beforeFlush = undefined
    const resumed = await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store, epochMaxRecords: 2 })
    expect(resumed).toMatchObject({ status: "completed", resumedFromEpoch: 1 })
    expect(sink.records()).toEqual(pages.flat())
  })

  test("an abort during a flush waits for it, then commits the pages written meanwhile; the resume finishes exactly once", async () => {
    const log: EventLog = []
    const sink = pipelinedSink("s", log)
    const controller = new AbortController()
    sink.beforeFlush = async (epoch) => {
      await waitForNextEpoch(sink, log)(epoch)
      if (epoch === 1) controller.abort()
      await until(() => false, 5)
    }
    const store = new MemoryCheckpointStore(log)
    const pages = pagesOf(20)
    const first = await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), {
      checkpoints: store,
      signal: controller.signal,
      epochMaxRecords: 2
    })
    expect(first.status).toBe("interrupted")
    expect(first.lastEpoch).toBe(2)
    expect(log.indexOf("save:1")).toBeLessThan(log.indexOf("flush-start:2:s"))
    const delivered = store.saved!.state as number
    expect(delivered).toBeGreaterThan(2)
    expect(sink.records()).toEqual(pages.slice(0, delivered).flat())
    expect(sink.violations).toEqual([])

    sink.beforeFlush = undefined
    await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store, epochMaxRecords: 2 })
    expect(sink.records()).toEqual(pages.flat())
  })

  test("interrupting the run's fiber during a flush waits for that commit before any sink closes", async () => {
    const log: EventLog = []
    const sink = pipelinedSink("s", log)
    let interrupt = () => {}
    sink.beforeFlush = async (epoch) => {
      await waitForNextEpoch(sink, log)(epoch)
      interrupt()
      await until(() => false, 5)
    }
    const store = new MemoryCheckpointStore(log)
    const pages = pagesOf(20)
    const fiber = Effect.runFork(pipeline(memorySource(pages)).to(sink.bound()).run({ checkpoints: store, epochMaxRecords: 2 }))
    interrupt = () => fiber.interruptUnsafe()
    await Effect.runPromise(Fiber.await(fiber))
    expect(store.saved?.epoch).toBeGreaterThanOrEqual(1)
    expect(log.indexOf("save:1")).toBeGreaterThan(log.indexOf("flush:s:1"))
    expect(log.indexOf("close:s")).toBeGreaterThan(log.indexOf(`save:${store.saved!.epoch}`))
    expect(sink.violations).toEqual([])
    expect(sink.records()).toEqual(pages.slice(0, store.saved!.state as number).flat())

    sink.beforeFlush = undefined
    await runPipeline(pipeline(memorySource(pages)).to(sink.bound()), { checkpoints: store, epochMaxRecords: 2 })
    expect(sink.records()).toEqual(pages.flat())
  })
})
