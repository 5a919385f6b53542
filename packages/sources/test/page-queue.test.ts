import { Effect, Exit, Fiber, Stream } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { pageQueue } from "../src/harvest/page-queue.js"

/** Workers taking items from one list: each waits for demand, "requests" (a tick or at once), offers. */
const queueOf = (items: ReadonlyArray<number>, options: { workers: number; ahead: number; async: boolean }, log: Array<string> = []) => {
  const todo = [...items]
  return pageQueue<number, string, never>(options, (feed) =>
    Effect.gen(function*() {
      for (let item = todo.shift(); item !== undefined; item = todo.shift()) {
        yield* feed.ready
        log.push(`request ${item}`)
        if (options.async) yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, item % 3)))
        if (item < 0) return yield* Effect.fail(`failed at ${item}`)
        yield* feed.offer(item)
      }
    }))
}

describe("pageQueue", () => {
  it("delivers every page once; one worker delivers them in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(50), { maxLength: 30 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), async (items, workers, async) => {
        const pages = await Effect.runPromise(Stream.runCollect(queueOf(items, { workers, ahead: workers - 1, async })))
        if (workers === 1) expect(pages).toEqual(items)
        else expect([...pages].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b))
      }),
      { numRuns: 60 }
    )
  })

  it("requests at most `ahead` pages before they are read (none ahead with one worker)", async () => {
    for (const [workers, ahead] of [[1, 0], [2, 1], [4, 3]] as const) {
      const log: Array<string> = []
      const reads = await Effect.runPromise(
        queueOf([1, 2, 3, 4, 5, 6, 7, 8], { workers, ahead, async: true }, log).pipe(
          Stream.mapEffect((page) => Effect.sync(() => ({ page, requested: log.length }))),
          Stream.runCollect
        )
      )
      reads.forEach(({ requested }, read) => expect(requested).toBeLessThanOrEqual(read + 1 + ahead))
    }
  })

  it("ends with the first failure, after the pages already offered", async () => {
    const exit = await Effect.runPromiseExit(Stream.runCollect(queueOf([1, 2, -3, 4], { workers: 1, ahead: 0, async: true })))
    expect(exit).toEqual(Exit.fail("failed at -3"))
    const pages: Array<number> = []
    await Effect.runPromiseExit(Stream.runForEach(queueOf([1, 2, -3, 4], { workers: 1, ahead: 0, async: false }), (page) => Effect.sync(() => pages.push(page))))
    expect(pages).toEqual([1, 2])
  })

  it("a reader that stops interrupts the workers, waiting for demand or on a request", async () => {
    let interrupted = 0
    const hanging = pageQueue<number, never, never>({ workers: 2, ahead: 1 }, (feed) =>
      Effect.gen(function*() {
        yield* feed.ready
        yield* feed.offer(1)
        yield* feed.ready
        yield* Effect.never
      }).pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++))))
    const first = await Effect.runPromise(Stream.runHead(hanging))
    expect(first._tag).toBe("Some")
    expect(interrupted).toBe(2)
    const fiber = Effect.runFork(Stream.runDrain(hanging))
    await new Promise((resolve) => setTimeout(resolve, 10))
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(interrupted).toBe(4)
  })

  it("workers that answer at once run 20,000 pages without nesting one fiber's run in another's", async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => i)
    const count = await Effect.runPromise(Stream.runCount(queueOf(items, { workers: 2, ahead: 1, async: false })))
    expect(count).toBe(20_000)
  })
})
