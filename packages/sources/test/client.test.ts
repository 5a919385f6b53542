import { inspect } from "node:util"
import { Effect, Exit, Schedule } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { SourceError } from "@tikflow/core/internal"
import type { Sandbox } from "@tikflow/sandbox"
import { createTikTokClient, endpoints, resolveCredentials } from "@tikflow/sources/internal"
import type { TikTokClientHandle } from "@tikflow/sources/internal"
import { clientFor, startSmallSandbox } from "./support/harvest-kit.js"

let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox({ seed: 5 }) })
afterAll(() => sandbox.stop())

const noRetry = {
  schedules: { ServerError: null, NetworkError: null, DecodeError: null, RateLimitedError: null, SearchIdExpiredError: null },
  maxRetries: 0
}
const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }
const videoBody = { query, start_date: "20240101", end_date: "20240110", max_count: 10 }

const failureOf = async (client: TikTokClientHandle, body: object = videoBody, searchId?: string): Promise<SourceError> => {
  const exit = await Effect.runPromiseExit(client.service.call({ endpoint: endpoints.videoQuery, fields: ["id"], body, searchId }))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error(`expected a typed failure, got ${String(exit.cause)}`)
  return error.error
}

describe("HTTP failures map to typed errors", () => {
  const cases = [
    { fault: "serverError", expected: { _tag: "ServerError", status: 500, code: "internal_error" } },
    { fault: "gatewayTimeout", expected: { _tag: "ServerError", status: 504 } },
    { fault: "malformed", expected: { _tag: "DecodeError" } },
    { fault: "reset", expected: { _tag: "NetworkError", kind: "reset" } },
    { fault: "timeout", expected: { _tag: "NetworkError", kind: "timeout" } },
    { fault: "rateLimit", expected: { _tag: "RateLimitedError", retryAfterMs: 1000 } },
    { fault: "rateLimitNoRetryAfter", expected: { _tag: "RateLimitedError", retryAfterMs: undefined } }
  ] as const
  for (const { fault, expected } of cases) {
    it(`${fault} → ${expected._tag}`, async () => {
      const { client } = clientFor(sandbox, { retry: noRetry, timeouts: { headersMs: 300 } })
      try {
        sandbox.setFaults({ [fault]: 1 })
        expect(await failureOf(client)).toMatchObject(expected)
      } finally {
        sandbox.setFaults({ [fault]: 0 })
        await client.close()
      }
    })
  }

  it("truncated bodies are a retryable NetworkError or DecodeError", async () => {
    const { client } = clientFor(sandbox, { retry: noRetry })
    try {
      sandbox.setFaults({ truncated: 1 })
      expect(["NetworkError", "DecodeError"]).toContain((await failureOf(client))._tag)
    } finally {
      sandbox.setFaults({ truncated: 0 })
      await client.close()
    }
  })

  it("invalid params → InvalidRequestError, sent exactly once", async () => {
    const { client } = clientFor(sandbox)
    try {
      const before = sandbox.stats.requests["video/query"]
      const error = await failureOf(client, { ...videoBody, end_date: "20240301" })
      expect(error).toMatchObject({ _tag: "InvalidRequestError", code: "invalid_params" })
      expect(error.message).toMatch(/30 days/)
      expect(sandbox.stats.requests["video/query"] - before).toBe(1)
    } finally {
      await client.close()
    }
  })

  it("a search_id that stays invalid → SearchIdExpiredError after the policy's retries", async () => {
    const { client, events } = clientFor(sandbox, {
      retry: { schedules: { SearchIdExpiredError: Schedule.spaced("1 millis").pipe(Schedule.upTo({ times: 2 })) } }
    })
    try {
      sandbox.setFaults({ searchIdInvalid: 1 })
      const before = sandbox.stats.requests["video/query"]
      const error = await failureOf(client, { ...videoBody, cursor: 10, search_id: "123" }, "123")
      expect(error).toMatchObject({ _tag: "SearchIdExpiredError", searchId: "123" })
      expect(sandbox.stats.requests["video/query"] - before).toBe(3)
      expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.kind)).toEqual(["SearchIdExpiredError", "SearchIdExpiredError"])
    } finally {
      sandbox.setFaults({ searchIdInvalid: 0 })
      await client.close()
    }
  })

  it("a daily-quota 429 is quota exhaustion, not retried", async () => {
    const { client } = clientFor(sandbox)
    const small = await startSmallSandbox({ seed: 5, quotaPerDay: 2 })
    const tight = clientFor(small)
    try {
      for (let i = 0; i < 2; i++) await Effect.runPromise(tight.client.service.call({ endpoint: endpoints.videoQuery, fields: ["id"], body: videoBody }))
      const error = await failureOf(tight.client)
      expect(error).toMatchObject({ _tag: "QuotaExhaustedError" })
      expect(small.stats.quotaRejections).toBe(1)
      // The ledger now knows: the next call stops without asking the API.
      expect(await failureOf(tight.client)).toMatchObject({ _tag: "QuotaExhaustedError" })
      expect(small.stats.quotaRejections).toBe(1)
    } finally {
      await tight.client.close()
      await client.close()
      await small.stop()
    }
  })
})

describe("credentials", () => {
  it("missing credentials → AuthError(missing_credentials) naming what is missing", () => {
    const error = resolveCredentials(undefined, {})
    expect(error).toMatchObject({ _tag: "AuthError", reason: "missing_credentials" })
    expect((error as Error).message).toMatch(/TIKTOK_CLIENT_KEY.*TIKTOK_CLIENT_SECRET/)
    expect(() => createTikTokClient({ env: {} })).toThrow(/missing credentials/)
  })

  it("credentials come from the environment when not configured", () => {
    const credentials = resolveCredentials(undefined, { TIKTOK_CLIENT_KEY: "k", TIKTOK_CLIENT_SECRET: "s3cr3t-value" })
    expect(credentials).toMatchObject({ clientKey: "k" })
  })

  it("wrong credentials → AuthError(invalid_client); the secret appears in no error, inspect or JSON", async () => {
    const secret = "wrong-secret-6f1d2"
    const { client, events } = clientFor(sandbox, { credentials: { clientKey: "sandbox-key", clientSecret: secret } })
    try {
      const error = await failureOf(client)
      expect(error).toMatchObject({ _tag: "AuthError", reason: "invalid_client" })
      const credentials = resolveCredentials({ clientKey: "sandbox-key", clientSecret: secret })
      for (const text of [String(error), inspect(error), JSON.stringify(error), inspect(credentials), String(credentials), JSON.stringify(credentials), inspect(client), JSON.stringify(events)]) {
        expect(text).not.toContain(secret)
      }
    } finally {
      await client.close()
    }
  })
})
