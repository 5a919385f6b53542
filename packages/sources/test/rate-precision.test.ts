import { Clock, Duration, Effect } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { endpoints } from "@tikflow/sources/internal"
import { clientFor, startSmallSandbox } from "./support/harvest-kit.js"

let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox({ seed: 5 }) })
afterAll(() => sandbox.stop())

/** A clock whose millisecond reading stands still while its nanoseconds move 0.1 ms per read; sleeps are recorded, not slept. */
const sameMillisecondClock = (sleeps: Array<number>): Clock.Clock => {
  const millis = 1_700_000_000_000
  let nanos = BigInt(millis) * 1_000_000n
  const tick = () => (nanos += 100_000n)
  return {
    currentTimeMillisUnsafe: () => millis,
    currentTimeMillis: Effect.sync(() => millis),
    currentTimeNanosUnsafe: tick,
    currentTimeNanos: Effect.sync(tick),
    monotonicTimeNanosUnsafe: tick,
    monotonicTimeNanos: Effect.sync(tick),
    sleep: (duration) => Effect.sync(() => void sleeps.push(Duration.toMillis(duration)))
  }
}

/** The sleeps the client's rate limiter asks for over four requests at 1,000,000/s on `clock`. */
const sleepsOver4Requests = async (clock: (sleeps: Array<number>) => Clock.Clock): Promise<ReadonlyArray<number>> => {
  const sleeps: Array<number> = []
  const { client } = clientFor(sandbox, { rate: 1_000_000 })
  try {
    const call = client.service.call({
      endpoint: endpoints.videoQuery,
      fields: ["id"],
      body: { query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }, start_date: "20240101", end_date: "20240102", max_count: 5 }
    })
    const provided = clock(sleeps)
    for (let i = 0; i < 4; i++) await Effect.runPromise(call.pipe(Effect.provideService(Clock.Clock, provided)))
    return sleeps
  } finally {
    await client.close()
  }
}

it("requests 0.1 ms apart within one millisecond at a rate of 1,000,000/s are not held back: the limiter reads the clock to the microsecond", async () => {
  // Before, each request after the first in the same millisecond was told to wait a few microseconds, which
  // a timer sleeps as a whole millisecond or more.
  expect(await sleepsOver4Requests(sameMillisecondClock)).toEqual([])
})

/**
 * Effect's own clock: its nanoseconds are anchored on a truncated `Date.now()`, so they run behind
 * the millisecond reading by up to 1 ms (here 0.5 ms), 0.02 ms more per read.
 */
const laggingNanosClock = (sleeps: Array<number>): Clock.Clock => {
  let nanos = 1_700_000_000_000_500_000n
  const tick = () => (nanos += 20_000n)
  const millis = () => Number((nanos + 500_000n) / 1_000_000n)
  return {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: tick,
    currentTimeNanos: Effect.sync(tick),
    monotonicTimeNanosUnsafe: tick,
    monotonicTimeNanos: Effect.sync(tick),
    sleep: (duration) => Effect.sync(() => void sleeps.push(Duration.toMillis(duration)))
  }
}

it("a nanosecond reading behind the millisecond one does not stand still: requests 0.02 ms apart at 1,000,000/s are not held back", async () => {
  // Before, the larger of the two readings stayed on the millisecond's for the rest of it, and each
  // request after the first was told to wait 2 µs.
  expect(await sleepsOver4Requests(laggingNanosClock)).toEqual([])
})
