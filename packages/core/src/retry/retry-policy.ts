import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { ProgressListener } from "../progress/progress-event.js"

/**
 * The error kinds a retry policy may retry. Everything else (invalid request, auth, quota) never
 * is, nor a `DecodeError` marked `deterministic` (a value the schema refuses, the same every time).
 */
export type RetryableTag = "ServerError" | "NetworkError" | "DecodeError" | "RateLimitedError" | "SearchIdExpiredError"

/** A schedule deciding, per failure of one kind, whether and after how long to try again. */
export type RetrySchedule = Schedule.Schedule<unknown, unknown>

/**
 * How one request is retried: a `Schedule` per error kind (`null` = never retry that kind) and a
 * cap on retries of all kinds together. Schedules are stepped per request, so each request gets
 * the full budget; `RateLimitedError.retryAfterMs`, when present, replaces the schedule's delay.
 */
export interface RetryPolicy {
  readonly schedules: { readonly [K in RetryableTag]: RetrySchedule | null }
  /** Upper bound on retries per request, whatever the kinds. */
  readonly maxRetries: number
}

/** Exponential backoff with ±20% jitter, each delay capped, at most `times` retries. */
export const backoff = (options: {
  readonly base: Duration.Input
  readonly cap: Duration.Input
  readonly times: number
  readonly factor?: number
}): RetrySchedule => {
  const cap = Duration.fromInputUnsafe(options.cap)
  return Schedule.exponential(options.base, options.factor ?? 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, cap))),
    Schedule.upTo({ times: options.times })
  )
}

/** A fixed delay between at most `times` retries (stale `search_id`s: "retry after a few seconds"). */
export const fixedDelay = (delay: Duration.Input, times: number): RetrySchedule =>
  Schedule.spaced(delay).pipe(Schedule.upTo({ times }))

export const defaultRetryPolicy: RetryPolicy = {
  schedules: {
    ServerError: backoff({ base: "500 millis", cap: "30 seconds", times: 6 }),
    NetworkError: backoff({ base: "500 millis", cap: "30 seconds", times: 6 }),
    DecodeError: backoff({ base: "500 millis", cap: "10 seconds", times: 3 }),
    RateLimitedError: backoff({ base: "2 seconds", cap: "60 seconds", times: 8 }),
    SearchIdExpiredError: fixedDelay("3 seconds", 3)
  },
  maxRetries: 10
}

/** A policy with some kinds replaced: `{ schedules: { ServerError: null } }` turns retries of 5xx off. */
export const retryPolicy = (
  overrides: { readonly schedules?: Partial<RetryPolicy["schedules"]>; readonly maxRetries?: number } = {},
  base: RetryPolicy = defaultRetryPolicy
): RetryPolicy => ({
  schedules: { ...base.schedules, ...overrides.schedules },
  maxRetries: overrides.maxRetries ?? base.maxRetries
})

const isRetryableTag = (tag: string): tag is RetryableTag =>
  tag === "ServerError" || tag === "NetworkError" || tag === "DecodeError" || tag === "RateLimitedError" ||
  tag === "SearchIdExpiredError"

type Step = (now: number, input: unknown) => Effect.Effect<[unknown, Duration.Duration], unknown>

/**
 * Runs `effect`, retrying typed failures per `policy`; emits a `retry` progress event before each
 * wait. When a kind's schedule is spent (or the kind is not retryable) the last error is returned
 * unchanged in the error channel. A success costs nothing more than `effect`: the schedules are
 * stepped only once a failure came.
 */
export const withRetry = <A, E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, E, R>,
  policy: RetryPolicy,
  context: { readonly endpoint: string; readonly onProgress?: ProgressListener | undefined }
): Effect.Effect<A, E, R> => Effect.catch(effect, (first) => retryAfter(first, effect, policy, context))

/** The retries after `effect` failed with `first`: one schedule per kind, stepped per failure. */
const retryAfter = <A, E extends { readonly _tag: string }, R>(
  first: E,
  effect: Effect.Effect<A, E, R>,
  policy: RetryPolicy,
  context: { readonly endpoint: string; readonly onProgress?: ProgressListener | undefined }
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const steps = new Map<RetryableTag, Step>()
    let retries = 0
    let error = first
    while (true) {
      const tag = error._tag
      // A deterministic decode error (a value the schema refuses) comes back the same every time:
      // retrying it spends quota for nothing.
      const deterministic = (error as { deterministic?: boolean }).deterministic === true
      if (!isRetryableTag(tag) || deterministic || retries >= policy.maxRetries) return yield* Effect.fail(error)
      const schedule = policy.schedules[tag]
      if (schedule === null) return yield* Effect.fail(error)
      let step = steps.get(tag)
      if (step === undefined) {
        step = (yield* Schedule.toStep(schedule)) as Step
        steps.set(tag, step)
      }
      const now = yield* Clock.currentTimeMillis
      const decision = yield* Effect.result(step(now, error))
      // A failed step is `Done` (the schedule is spent) or a broken user schedule: either way, give up.
      if (decision._tag === "Failure") return yield* Effect.fail(error)
      retries++
      const retryAfterMs = tag === "RateLimitedError" ? (error as { retryAfterMs?: number }).retryAfterMs : undefined
      const delayMs = retryAfterMs ?? Duration.toMillis(decision.success[1])
      context.onProgress?.({ type: "retry", endpoint: context.endpoint, kind: tag, attempt: retries, delayMs })
      if (delayMs > 0) yield* Effect.sleep(Duration.millis(delayMs))
      const result = yield* Effect.result(effect)
      if (result._tag === "Success") return result.success
      error = result.failure
    }
  })
