import { Effect, Exit, Fiber, Stream } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { inlinePages } from "../src/harvest/inline-pages.js"

const tick = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

/** A lane over `items`: each `next` "requests" the next item (a tick or at once); a negative item fails. */
const laneOf = (items: ReadonlyArray<number>, options: { ahead: number; async: boolean }, log: Array<string> = []) => {
  let at = 0
  let running = 0
  const next = Effect.suspend(() => {
    if (at === items.length) return Effect.succeed(undefined)
    const item = items[at++]
    log.push(`request ${item}`)
    if (++running > 1) log.push("overlap")
    return Effect.gen(function*() {
      if (options.async) yield* tick(item % 3)
      if (item < 0) return yield* Effect.fail(`failed at ${item}`)
      return item
    }).pipe(Effect.ensuring(Effect.sync(() => running--)))
  })
  return inlinePages<number, string, never>({ ahead: options.ahead }, next)
}

/** Reads every page, spending `readMs` over each (0: none), noting how many requests were made as each arrived. */
const read = (pages: Stream.Stream<number, string>, log: Array<string>, readMs: number) =>
  Effect.gen(function*() {
    const reads: Array<{ page: number; requested: number }> = []
    const exit = yield* Effect.exit(Stream.runForEach(pages, (page) =>
      Effect.gen(function*() {
        reads.push({ page, requested: log.filter((line) => line.startsWith("request")).length })
        if (readMs > 0) yield* tick(readMs)
      })))
    return { exit, reads }
  })

describe("inlinePages", () => {
  it("delivers every page once, in order; the first failure ends it after the pages before; at most one request ahead, none with ahead 0", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -3, max: 50 }), { maxLength: 25 }),
        fc.constantFrom(0, 1, 3),
        fc.boolean(),
        fc.constantFrom(0, 2),
        async (items, ahead, async, readMs) => {
          const log: Array<string> = []
          const { exit, reads } = await Effect.runPromise(read(laneOf(items, { ahead, async }, log), log, readMs))
          const failedAt = items.findIndex((item) => item < 0)
          expect(exit).toEqual(failedAt === -1 ? Exit.void : Exit.fail(`failed at ${items[failedAt]}`))
          expect(reads.map(({ page }) => page)).toEqual(failedAt === -1 ? items : items.slice(0, failedAt))
          reads.forEach(({ requested }, i) => expect(requested).toBeLessThanOrEqual(i + 1 + (ahead > 0 ? 1 : 0)))
          expect(log).not.toContain("overlap")
        }
      ),
      { numRuns: 60 }
    )
  })

  it("any mix of reader speeds, a reader that stops (take) and a failure: the pages in order, requests <= pages read + 1, none left running or started after the end", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -3, max: 50 }), { maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(0, 1),
        async (items, slow, take, ahead) => {
          let at = 0
          let running = 0
          let requests = 0
          const next = Effect.suspend(() => {
            if (at === items.length) return Effect.succeed(undefined)
            const item = items[at++]
            requests++
            running++
            return tick(item % 2).pipe(
              Effect.andThen(item < 0 ? Effect.fail(`failed at ${item}`) : Effect.succeed(item)),
              Effect.ensuring(Effect.sync(() => running--))
            )
          })
          const read: Array<number> = []
          const exit = await Effect.runPromise(Effect.exit(inlinePages<number, string, never>({ ahead }, next).pipe(
            Stream.take(take),
            // A slow reader (1 ms over its page) gets the next one requested ahead; a fast one does not.
            Stream.runForEach((page) => Effect.andThen(Effect.sync(() => read.push(page)), slow[read.length] ? tick(1) : Effect.void))
          )))
          const requestsAtEnd = requests
          const runningAtEnd = running
          await new Promise((resolve) => setTimeout(resolve, 5))
          const failedAt = items.findIndex((item) => item < 0)
          const delivered = failedAt === -1 ? items : items.slice(0, failedAt)
          expect(read).toEqual(delivered.slice(0, take))
          expect(exit).toEqual(failedAt === -1 || failedAt >= take ? Exit.void : Exit.fail(`failed at ${items[failedAt]}`))
          expect(requestsAtEnd).toBeLessThanOrEqual(read.length + 1)
          // None ahead with ahead 0: a request only for a page the reader asked for.
          if (ahead === 0) expect(requestsAtEnd).toBe(Math.min(items.length, read.length < take ? read.length + 1 : read.length))
          expect({ runningAtEnd, running, requests }).toEqual({ runningAtEnd: 0, running: 0, requests: requestsAtEnd })
        }
      ),
      { numRuns: 80 }
    )
  })

  it("requests the next page ahead while a slow reader works on one, only with ahead > 0", async () => {
    for (const ahead of [0, 1]) {
      const log: Array<string> = []
      const { exit, reads } = await Effect.runPromise(read(laneOf([1, 2, 3, 4, 5, 6], { ahead, async: true }, log), log, 5))
      expect(exit).toEqual(Exit.void)
      const requested = reads.map((r) => r.requested)
      // The first page tells a slow reader apart; from the second on, the next request was made
      // as the page was handed over (none ahead with ahead 0).
      expect(requested).toEqual(ahead === 0 ? [1, 2, 3, 4, 5, 6] : [1, 3, 4, 5, 6, 6])
    }
  })

  it("a reader that stops interrupts the request ahead or its own request in flight", async () => {
    let interrupted = 0
    let requests = 0
    const hanging = inlinePages<number, never, never>({ ahead: 1 }, Effect.suspend(() => {
      const n = ++requests
      return n <= 2 ? Effect.succeed(n) : Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++)))
    }))
    // A slow reader of two pages: the third is requested ahead and hangs until the reader stops.
    const two = await Effect.runPromise(hanging.pipe(Stream.mapEffect((page) => Effect.as(tick(5), page)), Stream.take(2), Stream.runCollect))
    expect(two).toEqual([1, 2])
    expect(requests).toBe(3)
    expect(interrupted).toBe(1)
    // A reader waiting on its own pull's request.
    requests = 0
    const fiber = Effect.runFork(Stream.runDrain(hanging))
    await new Promise((resolve) => setTimeout(resolve, 10))
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(requests).toBe(3)
    expect(interrupted).toBe(2)
  })

  it("a lane that answers at once runs 20,000 pages in the reader's fiber", async () => {
    let at = 0
    const count = await Effect.runPromise(Stream.runCount(inlinePages({ ahead: 1 }, Effect.sync(() => at < 20_000 ? at++ : undefined))))
    expect(count).toBe(20_000)
  })
})
