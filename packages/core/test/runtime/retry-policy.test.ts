import { fc, test } from "@fast-check/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import {
  DecodeError,
  InvalidRequestError,
  NetworkError,
  type ProgressEvent,
  RateLimitedError,
  retryPolicy,
  SearchIdExpiredError,
  ServerError,
  withRetry
} from "@tikflow/core/internal"

type Kind = "ServerError" | "NetworkError" | "RateLimitedError" | "SearchIdExpiredError" | "InvalidRequestError"
const endpoint = "/v2/research/video/query/"
const errorOf = (kind: Kind) => {
  switch (kind) {
    case "ServerError": return new ServerError({ endpoint, status: 500, code: "internal_error", message: "boom" })
    case "NetworkError": return new NetworkError({ endpoint, kind: "reset", message: "reset" })
    case "RateLimitedError": return new RateLimitedError({ endpoint, message: "slow down" })
    case "SearchIdExpiredError": return new SearchIdExpiredError({ endpoint, searchId: "s", message: "expired" })
    case "InvalidRequestError": return new InvalidRequestError({ endpoint, code: "invalid_params", message: "bad" })
  }
}
const kinds: ReadonlyArray<Kind> = ["ServerError", "NetworkError", "RateLimitedError", "SearchIdExpiredError", "InvalidRequestError"]

describe("withRetry", () => {
  test.prop([
    fc.array(fc.constantFrom(...kinds), { maxLength: 30 }),
    fc.record({ server: fc.nat(4), network: fc.nat(4), rate: fc.nat(4), stale: fc.nat(4) }),
    fc.nat(12)
  ], { numRuns: 200 })("retries of each kind never exceed the policy; invalid requests are never retried", (failures, budget, maxRetries) => {
    const policy = retryPolicy({
      maxRetries,
      schedules: {
        ServerError: Schedule.recurs(budget.server),
        NetworkError: Schedule.recurs(budget.network),
        RateLimitedError: Schedule.recurs(budget.rate),
        SearchIdExpiredError: Schedule.recurs(budget.stale),
        DecodeError: null
      }
    })
    const events: Array<ProgressEvent> = []
    let attempts = 0
    const request = Effect.suspend(() => {
      const kind = failures[attempts++]
      return kind === undefined ? Effect.succeed("ok") : Effect.fail(errorOf(kind))
    })
    const exit = Effect.runSyncExit(withRetry(request, policy, { endpoint, onProgress: (e) => events.push(e) }))

    // Replay the model: which attempt should have been the last one?
    const left = { ServerError: budget.server, NetworkError: budget.network, RateLimitedError: budget.rate, SearchIdExpiredError: budget.stale }
    let expectedAttempts = 0
    let retries = 0
    let outcome: string = "ok"
    for (;;) {
      const kind = failures[expectedAttempts++]
      if (kind === undefined) break
      if (kind === "InvalidRequestError" || retries >= maxRetries || left[kind] === 0) {
        outcome = kind
        break
      }
      left[kind]--
      retries++
    }
    expect(attempts).toBe(expectedAttempts)
    expect(events.filter((e) => e.type === "retry")).toHaveLength(retries)
    expect(retries).toBeLessThanOrEqual(maxRetries)
    if (exit._tag === "Success") expect(outcome).toBe("ok")
    else expect(JSON.stringify(exit.cause)).toContain(outcome)
    if (failures[0] === "InvalidRequestError") expect(attempts).toBe(1)
  })

  it("honours Retry-After on 429 instead of the schedule's delay", async () => {
    const events: Array<ProgressEvent> = []
    let attempts = 0
    const request = Effect.suspend(() =>
      attempts++ === 0
        ? Effect.fail(new RateLimitedError({ endpoint, retryAfterMs: 7_000, message: "429" }))
        : Effect.succeed(attempts)
    )
    const program = Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(withRetry(request, retryPolicy(), { endpoint, onProgress: (e) => events.push(e) }))
      yield* TestClock.adjust("6999 millis")
      expect(attempts).toBe(1)
      yield* TestClock.adjust("1 millis")
      return yield* Fiber.join(fiber)
    })
    await Effect.runPromise(program.pipe(Effect.provide(TestClock.layer())))
    expect(attempts).toBe(2)
    expect(events).toEqual([{ type: "retry", endpoint, kind: "RateLimitedError", attempt: 1, delayMs: 7_000 }])
  })
})

describe("decode errors", () => {
  const attemptsUntilFailure = (error: DecodeError) => {
    let attempts = 0
    const request = Effect.suspend(() => {
      attempts++
      return Effect.fail(error)
    })
    const policy = retryPolicy({ schedules: { DecodeError: Schedule.recurs(3) } })
    Effect.runSync(Effect.ignore(withRetry(request, policy, { endpoint })))
    return attempts
  }

  it("a body that is not JSON (cut short, a gateway's HTML) is retried", () => {
    expect(attemptsUntilFailure(new DecodeError({ endpoint, path: "", message: "malformed JSON" }))).toBe(4)
  })

  it("a value the schema refuses is never retried: the same request returns it again, and quota is spent per request", () => {
    const refused = new DecodeError({ endpoint, path: "data.videos[1].like_count", message: "expected an integer", deterministic: true })
    expect(attemptsUntilFailure(refused)).toBe(1)
  })
})
