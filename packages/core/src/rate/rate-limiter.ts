import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * A client-wide request rate limit shared by every source of one client. `acquire` waits (on the
 * Effect `Clock`, so `TestClock` drives it in tests) until the next request may start; `reserve`
 * is the same step as a plain check for a hot path: it takes the next slot at `now` and says how
 * long to wait for it (0: go now).
 */
export interface RateLimiter {
  readonly requestsPerSecond: number
  readonly burst: number
  readonly acquire: Effect.Effect<void>
  /** Reserves the next slot at `now` (epoch ms); the milliseconds to wait before starting, 0 if none. */
  readonly reserve: (now: number) => number
}

/**
 * A GCRA token bucket: every caller reserves the next slot synchronously (no lock needed on one
 * thread), so for any two requests i < j, start(j) − start(i) ≥ (j − i − (burst − 1)) / rate.
 * With the default burst of 1, no window of one second ever sees more than `requestsPerSecond`
 * starts. An interrupted wait forfeits its slot: conservative, never over the rate.
 */
export const makeRateLimiter = (options: { readonly requestsPerSecond: number; readonly burst?: number }): RateLimiter => {
  const { requestsPerSecond } = options
  const burst = options.burst ?? 1
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`rate: expected a positive number of requests per second, got ${requestsPerSecond}`)
  }
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`rate.burst: expected an integer ≥ 1, got ${burst}`)
  // A microsecond of margin per slot absorbs floating-point rounding (3 × 333.33… can land just
  // under 1000, and epoch-ms timestamps have ulps near 2.4e-4 ms), so the rate is never exceeded.
  const interval = 1000 / requestsPerSecond + 0.001
  let theoreticalArrival = Number.NEGATIVE_INFINITY
  const reserve = (now: number): number => {
    const slot = Math.max(theoreticalArrival, now)
    theoreticalArrival = slot + interval
    return Math.max(0, slot - (burst - 1) * interval - now)
  }
  const acquire = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const wait = reserve(now)
    return wait > 0 ? Effect.sleep(Duration.millis(wait)) : Effect.void
  })
  return { requestsPerSecond, burst, acquire, reserve }
}

/** No limit at all (tests, or a proxy that limits for us). */
export const unlimitedRate: RateLimiter = { requestsPerSecond: Number.POSITIVE_INFINITY, burst: 1, acquire: Effect.void, reserve: () => 0 }
