import { fc, test } from "@fast-check/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { expect } from "vitest"
import { makeRateLimiter } from "@tikflow/core/internal"

test.prop([
  fc.integer({ min: 1, max: 50 }),
  fc.integer({ min: 1, max: 4 }),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 12 }),
  fc.oneof(fc.constant(0), fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }))
], { numRuns: 100 })("no window of one second sees more than rate + burst − 1 request starts", async (rate, burst, arrivals, epoch) => {
  const limiter = makeRateLimiter({ requestsPerSecond: rate, burst })
  const starts: Array<number> = []
  const program = Effect.gen(function*() {
    // Epoch-sized clock values too: their coarse float spacing must not let a slot slip early.
    yield* TestClock.setTime(epoch)
    // Groups of concurrent callers arrive at random (simulated) times.
    const fibers = []
    for (const [at, callers] of arrivals) {
      fibers.push(yield* Effect.forkChild(Effect.gen(function*() {
        yield* Effect.sleep(at)
        yield* Effect.all(
          Array.from({ length: callers }, () =>
            limiter.acquire.pipe(Effect.andThen(Clock.currentTimeMillis), Effect.map((t) => starts.push(t)))),
          { concurrency: "unbounded" }
        )
      })))
    }
    yield* TestClock.adjust("1 hour")
    yield* Fiber.joinAll(fibers)
  })
  await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
  const total = arrivals.reduce((n, [, callers]) => n + callers, 0)
  expect(starts).toHaveLength(total)
  starts.sort((a, b) => a - b)
  for (let i = 0; i < starts.length; i++) {
    let inWindow = 0
    for (let j = i; j < starts.length && starts[j] < starts[i] + 1000; j++) inWindow++
    expect(inWindow).toBeLessThanOrEqual(Math.ceil(rate) + burst - 1)
  }
})

test.prop([
  fc.integer({ min: 1, max: 50 }),
  fc.integer({ min: 1, max: 4 }),
  fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 })
], { numRuns: 100 })("reserve, the plain check: starting each request after the wait it returns keeps the same bound", (rate, burst, gaps) => {
  const limiter = makeRateLimiter({ requestsPerSecond: rate, burst })
  const starts: Array<number> = []
  let now = 1_700_000_000_000
  for (const gap of gaps) {
    now += gap
    const wait = limiter.reserve(now)
    expect(wait).toBeGreaterThanOrEqual(0)
    starts.push(now + wait)
  }
  starts.sort((a, b) => a - b)
  for (let i = 0; i < starts.length; i++) {
    let inWindow = 0
    for (let j = i; j < starts.length && starts[j] < starts[i] + 1000; j++) inWindow++
    expect(inWindow).toBeLessThanOrEqual(Math.ceil(rate) + burst - 1)
  }
  // Requests spaced at the rate never wait.
  const spaced = makeRateLimiter({ requestsPerSecond: rate, burst })
  expect(Array.from({ length: 5 }, (_, i) => spaced.reserve(now + i * (1000 / rate + 1)))).toEqual([0, 0, 0, 0, 0])
})
