import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

export interface DeliveryRetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

/**
 * Exponential backoff with jitter, each delay capped at `maxDelayMs`, at most `retries` retries:
 * `min` keeps the smaller delay (the cap), `max` stops as soon as `recurs` does.
 */
export const deliverySchedule = (policy: DeliveryRetryPolicy) =>
  Schedule.max([
    Schedule.min([
      Schedule.exponential(Duration.millis(policy.baseDelayMs), 2).pipe(Schedule.jittered),
      Schedule.spaced(Duration.millis(policy.maxDelayMs))
    ]),
    Schedule.recurs(policy.retries)
  ])
