import { Effect, Exit, Schedule } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { SourceError } from "@tikflow/core/internal"
import { checkBaseUrl, createTikTokClient, endpoints } from "@tikflow/sources/internal"
import type { TikTokClientConfig } from "@tikflow/sources/internal"
import type { Answer } from "./support/hostile-server.js"
import { startHostileServer } from "./support/hostile-server.js"

// Every kind retried at once and often: a failure that must not be retried shows as one request.
const eagerRetry = {
  schedules: {
    ServerError: Schedule.recurs(5),
    NetworkError: Schedule.recurs(2),
    DecodeError: Schedule.recurs(5),
    RateLimitedError: Schedule.recurs(5),
    SearchIdExpiredError: Schedule.recurs(5)
  },
  maxRetries: 10
}
const body = { query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }, start_date: "20240101", end_date: "20240102", max_count: 10 }

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** One research call against a hostile server: its typed failure and how many requests it cost. */
const failureAgainst = async (answer: Answer, config: Partial<TikTokClientConfig> = {}, token?: Parameters<typeof startHostileServer>[1]) => {
  const server = await startHostileServer(answer, token)
  closers.push(server.close)
  const client = createTikTokClient({
    baseUrl: server.url,
    credentials: { clientKey: "k", clientSecret: "hostile-test-secret" },
    retry: eagerRetry,
    ...config
  })
  closers.unshift(() => client.close())
  const exit = await Effect.runPromiseExit(client.service.call({ endpoint: endpoints.videoQuery, fields: ["id"], body }))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a typed failure, got ${String(exit.cause)}`)
  return { error: reason.error as SourceError, requests: server.requests }
}

describe("bounded against a hostile API", () => {
  it("an endless body stops at the size limit and is not retried", async () => {
    const { error, requests } = await failureAgainst((_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump)
      }
      pump()
    }, { maxResponseBytes: 1024 * 1024 })
    expect(error).toMatchObject({ _tag: "UnusableResponseError", reason: "too_large" })
    expect(error.message).toMatch(/over the limit of 1048576 bytes .*maxResponseBytes/)
    expect(requests).toBe(1)
  })

  it("a body declared larger than the limit is refused before it is read, once", async () => {
    const { error, requests } = await failureAgainst((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(1_100_000_000) })
      res.write("{\"data\":")
    })
    expect(error).toMatchObject({ _tag: "UnusableResponseError", reason: "too_large" })
    expect(error.message).toMatch(/1100000000 bytes, over the limit of 33554432 bytes/)
    expect(requests).toBe(1)
  })

  it("a body that drips forever hits the overall request deadline", async () => {
    const { error, requests } = await failureAgainst((_, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(" ")), 20)
      res.on("close", () => clearInterval(timer))
    }, { timeouts: { requestMs: 300 } })
    expect(error).toMatchObject({ _tag: "NetworkError", kind: "timeout" })
    expect(error.message).toMatch(/no complete response within 0\.3 s \(timeouts\.requestMs\)/)
    // A timeout is the network's fault: retried within the policy (2 retries here), then given up.
    expect(requests).toBe(3)
  })

  it("a Retry-After over the cap fails at once, naming the cap, instead of sleeping for years", async () => {
    const answer: Answer = (_, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "999999999" })
      res.end(`{"error":{"code":"rate_limit_exceeded","message":"slow down","log_id":"l"}}`)
    }
    const byDefault = await failureAgainst(answer)
    expect(byDefault.error).toMatchObject({ _tag: "UnusableResponseError", reason: "retry_after", status: 429 })
    expect(byDefault.error.message).toMatch(/asks to wait 999999999 s \(Retry-After: 999999999\), over the cap of 600 s \(maxRetryAfterMs\)/)
    expect(byDefault.requests).toBe(1)
    const configured = await failureAgainst((request, res) => {
      res.writeHead(429, { "retry-after": "10" })
      res.end(`{"error":{"code":"rate_limit_exceeded","message":"slow down","log_id":"l"}}`)
    }, { maxRetryAfterMs: 5_000 })
    expect(configured.error.message).toMatch(/over the cap of 5 s/)
  })

  it("a redirect is reported with its Location, not as malformed JSON, and not followed", async () => {
    const { error, requests } = await failureAgainst((_, res) => {
      res.writeHead(301, { location: "https://open.tiktokapis.example/v2/research/video/query/", "content-type": "text/html" })
      res.end("<html>Moved Permanently</html>")
    })
    expect(error).toMatchObject({ _tag: "UnusableResponseError", reason: "redirect", status: 301 })
    expect(error.message).toBe(
      "HTTP 301 redirect to https://open.tiktokapis.example/v2/research/video/query/; tikflow does not follow redirects: check the base URL"
    )
    expect(requests).toBe(1)
  })

  it("the token endpoint: a redirect names its Location; a multi-line description becomes one line", async () => {
    const redirected = await failureAgainst(() => undefined, {}, (res) => {
      res.writeHead(302, { location: "https://login.example/" })
      res.end()
    })
    expect(redirected.error).toMatchObject({ _tag: "UnusableResponseError", reason: "redirect", endpoint: "/v2/oauth/token/" })
    expect(redirected.error.message).toMatch(/^HTTP 302 redirect to https:\/\/login\.example\//)
    const refused = await failureAgainst(() => undefined, {}, (res) => {
      res.writeHead(401, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "invalid_client", error_description: "Client key\nor secret\r\n  is invalid.", log_id: "l" }))
    })
    expect(refused.error).toMatchObject({ _tag: "AuthError", reason: "invalid_client", message: "invalid_client: Client key or secret is invalid." })
    expect(refused.requests).toBe(0)
  })

  it("plain http is refused for a non-loopback host before any request; loopback is fine", () => {
    const credentials = { clientKey: "k", clientSecret: "s" }
    expect(() => createTikTokClient({ baseUrl: "http://api.example.org", credentials })).toThrow(
      /^baseUrl: expected an https:\/\/ URL \(plain http is only for loopback hosts: the client secret and tokens would travel unencrypted to api\.example\.org\), got "http:\/\/api\.example\.org"$/
    )
    for (const url of ["http://127.0.0.1:9", "http://localhost:9/proxy", "http://[::1]:9", "https://api.example.org"]) {
      expect(checkBaseUrl("baseUrl", url).href).toMatch(/^https?:\/\//)
    }
    for (const url of ["http://127.0.0.1.example.org", "http://10.0.0.1", "http://[::2]"]) {
      expect(() => checkBaseUrl("--base-url", url)).toThrow(/^--base-url: expected an https:\/\/ URL/)
    }
  })
})
