import { Effect, Exit, Fiber, Stream } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { lanePages } from "../src/harvest/lane-pages.js"

const tick = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

/** What the lanes did: requests made, lanes' requests overlapping (never wanted), requests still running. */
interface Log {
  requests: number
  running: number
  overlaps: number
}

/**
 * Lanes over `items` (one list per lane): each `next` "requests" the lane's next item (after a tick
 * of `item % 3` ms, or at once), a negative item fails. `undefined` after the last costs no request.
 */
const lanesOf = (items: ReadonlyArray<ReadonlyArray<number>>, async: boolean, log: Log) =>
  items.map((lane) => {
    let at = 0
    let running = 0
    return Effect.suspend(() => {
      if (at === lane.length) return Effect.succeed(undefined)
      const item = lane[at++]
      log.requests++
      log.running++
      if (++running > 1) log.overlaps++
      return (async ? tick(item % 3) : Effect.void).pipe(
        Effect.andThen(item < 0 ? Effect.fail(`failed at ${item}`) : Effect.succeed(item)),
        Effect.ensuring(Effect.sync(() => {
          running--
          log.running--
        }))
      )
    })
  })

const arbitraryLanes = fc.array(fc.array(fc.integer({ min: -3, max: 60 }), { maxLength: 8 }), { minLength: 1, maxLength: 4 })
  // Distinct pages, to tell each lane's apart.
  .map((lanes) => lanes.map((lane, l) => lane.map((item, i) => (item < 0 ? item : item * 100 + l * 10 + i))))

describe("lanePages", () => {
  it("any lanes, ahead, reader speed, reader that stops and failures: each lane's pages in order, none twice, the first failure after the pages before it, requests <= pages read + 1 + ahead (and one per lane at a time), none running or started after the end", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryLanes,
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 1, max: 40 }),
        async (items, ahead, async, slow, take) => {
          const log: Log = { requests: 0, running: 0, overlaps: 0 }
          const read: Array<number> = []
          const exit = await Effect.runPromise(Effect.exit(lanePages<number, string, never>({ ahead }, lanesOf(items, async, log)).pipe(
            Stream.take(take),
            Stream.runForEach((page) => Effect.andThen(Effect.sync(() => read.push(page)), slow[read.length] ? tick(1) : Effect.void))
          )))
          const atEnd = { ...log }
          await new Promise((resolve) => setTimeout(resolve, 5))
          // Each lane's pages: a prefix of its list, in order, up to its failure.
          items.forEach((lane, l) => {
            const failedAt = lane.findIndex((item) => item < 0)
            const pages = failedAt === -1 ? lane : lane.slice(0, failedAt)
            const mine = read.filter((page) => pages.includes(page))
            expect(mine).toEqual(pages.slice(0, mine.length))
          })
          expect(new Set(read).size).toBe(read.length)
          const failures = items.flat().filter((item) => item < 0)
          if (Exit.isFailure(exit)) expect(failures.map((item) => Exit.fail(`failed at ${item}`))).toContainEqual(exit)
          // No failure and a reader that reads on: every page.
          if (failures.length === 0) {
            expect(exit).toEqual(Exit.void)
            expect(read.length).toBe(Math.min(take, items.flat().length))
          }
          expect(atEnd.requests).toBeLessThanOrEqual(read.length + 1 + ahead)
          // One lane and none ahead: a request only for a page the reader asked for.
          if (items.length === 1 && ahead === 0 && failures.length === 0) expect(atEnd.requests).toBe(Math.min(items[0].length, read.length < take ? read.length + 1 : read.length))
          expect(atEnd.overlaps).toBe(0)
          expect({ running: atEnd.running, requests: log.requests, after: log.running }).toEqual({ running: 0, requests: atEnd.requests, after: 0 })
        }
      ),
      { numRuns: 120 }
    )
  })

  it("several lanes request at once, ahead of the reader; the pages of one already fetched come before another's failure", async () => {
    let started = 0
    const pages = [
      Effect.suspend(() => (started++, Effect.andThen(tick(20), Effect.fail("lane 0 failed")))),
      (() => {
        let n = 0
        return Effect.suspend(() => (started++, n++ < 1 ? Effect.as(tick(1), "lane 1's page") : Effect.never))
      })()
    ]
    const read: Array<string> = []
    const exit = await Effect.runPromiseExit(Stream.runForEach(lanePages({ ahead: 1 }, pages), (page) => Effect.sync(() => read.push(page))))
    expect(exit).toEqual(Exit.fail("lane 0 failed"))
    expect(read).toEqual(["lane 1's page"])
    expect(started).toBe(3)
  })

  it("a lone lane: the reader's own pull requests each page; a slow reader gets the next requested ahead, only with ahead > 0", async () => {
    for (const ahead of [0, 1]) {
      const log: Log = { requests: 0, running: 0, overlaps: 0 }
      const requested: Array<number> = []
      await Effect.runPromise(lanePages({ ahead }, lanesOf([[1, 2, 3, 4, 5, 6]], true, log)).pipe(
        Stream.runForEach(() => Effect.andThen(Effect.sync(() => requested.push(log.requests)), tick(5)))
      ))
      // The first page tells a slow reader apart; from the second on, the next request was made
      // as the page was handed over (none ahead with ahead 0).
      expect(requested).toEqual(ahead === 0 ? [1, 2, 3, 4, 5, 6] : [1, 3, 4, 5, 6, 6])
    }
  })

  it("a reader that stops interrupts the requests on their way: ahead, its own, several lanes'", async () => {
    let hanging = 0
    let interrupted = 0
    const hangingAfter = (pages: number) => {
      let n = 0
      return Effect.suspend(() => {
        if (++n <= pages) return Effect.succeed(n)
        hanging++
        return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++)))
      })
    }
    // A slow reader of two pages of a lone lane: the third is requested ahead and hangs until the reader stops.
    const two = await Effect.runPromise(lanePages({ ahead: 1 }, [hangingAfter(2)]).pipe(Stream.mapEffect((page) => Effect.as(tick(5), page)), Stream.take(2), Stream.runCollect))
    expect(two).toEqual([1, 2])
    expect({ hanging, interrupted }).toEqual({ hanging: 1, interrupted: 1 })
    // A reader waiting on its own pull's request.
    const fiber = Effect.runFork(Stream.runDrain(lanePages({ ahead: 0 }, [hangingAfter(0)])))
    await new Promise((resolve) => setTimeout(resolve, 10))
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect({ hanging, interrupted }).toEqual({ hanging: 2, interrupted: 2 })
    // Three lanes, two of them hanging from the start: the reader stops after the first page.
    const first = await Effect.runPromise(Stream.runHead(lanePages({ ahead: 2 }, [hangingAfter(1), hangingAfter(0), hangingAfter(0)])))
    expect(first._tag).toBe("Some")
    expect(hanging).toBeGreaterThanOrEqual(3)
    expect(interrupted).toBe(hanging)
  })

  it("lanes that answer at once run 20,000 pages, one lane or several", async () => {
    for (const lanes of [1, 3]) {
      const counts = Array.from({ length: lanes }, () => 0)
      const count = await Effect.runPromise(Stream.runCount(lanePages({ ahead: lanes - 1 }, counts.map((_, l) =>
        Effect.sync(() => (counts[l] < 20_000 / lanes ? counts[l]++ : undefined))))))
      expect(count).toBe(lanes === 1 ? 20_000 : 3 * Math.ceil(20_000 / 3))
    }
  })
})
