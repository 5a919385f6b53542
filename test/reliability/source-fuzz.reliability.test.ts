import { createServer } from "node:http"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { backoff } from "../../packages/core/src/internal.js"
import { createTikTokClient, toObservable, videoQuery } from "../../packages/sources/src/internal.js"
import { badBodyText } from "./support/fuzz-inputs.js"
import { recordPart } from "./support/last-run.js"
import { bySize, mode } from "./support/mode.js"

// A fake API whose video query serves `pages` good pages of 10 videos, except page `fuzzAt`,
// which is a fuzzed body every time it is asked for (so retries cannot save it).
const PAGE = 10
const state = { pages: 5, fuzzAt: 2, fuzzBody: "", requests: 0 }
const idOf = (cursor: number) => (7_320_000_000_000_000_000n + BigInt(cursor)).toString()
const goodPage = (cursor: number) => {
  const videos = Array.from({ length: PAGE }, (_, i) =>
    `{"id":${idOf(cursor + i)},"create_time":1704067200,"username":"user_${cursor + i}","region_code":"US","like_count":${i},"hashtag_names":["a","b"]}`)
  const next = cursor + PAGE
  return `{"data":{"videos":[${videos.join(",")}],"cursor":${next},"has_more":${next < state.pages * PAGE},"search_id":"7354367454467855403"},"error":{"code":"ok","message":"","log_id":"x"}}`
}

const runs = bySize(60, 600)

describe(`a source reading a fuzzed page (${mode})`, () => {
  let server: Server
  let url: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = ""
      req.on("data", (d: Buffer) => (raw += d.toString()))
      req.on("end", () => {
        if (req.url?.startsWith("/v2/oauth/token")) {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "clt.fuzz", expires_in: 7200, token_type: "Bearer" }))
          return
        }
        state.requests++
        const cursor = Number(/"cursor":(\d+)/.exec(raw)?.[1] ?? 0)
        const body = cursor / PAGE === state.fuzzAt ? state.fuzzBody : goodPage(cursor)
        res.writeHead(200, { "content-type": "application/json" }).end(body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  it("never loses records delivered before the bad page, and fails only with a typed error", async () => {
    let fuzzed = 0
    let typedFailures = 0
    const tags: Record<string, number> = {}
    const fast = backoff({ base: "1 millis", cap: "2 millis", times: 2 })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.nat(), badBodyText, async (pages, at, body) => {
        fuzzed++
        Object.assign(state, { pages, fuzzAt: at % pages, fuzzBody: body })
        const client = createTikTokClient({
          baseUrl: url,
          credentials: { clientKey: "fuzz-key", clientSecret: "fuzz-secret" },
          rate: 1_000_000,
          retry: { maxRetries: 2, schedules: { ServerError: fast, NetworkError: fast, DecodeError: fast, RateLimitedError: fast, SearchIdExpiredError: fast } }
        })
        const delivered: Array<string> = []
        let failure: unknown
        try {
          await new Promise<void>((resolve) => {
            toObservable(videoQuery({
              query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] },
              startDate: "20240101",
              endDate: "20240101",
              maxCount: PAGE
            }), client).subscribe({
              next: (video) => delivered.push(video.id),
              error: (error) => {
                failure = error
                resolve()
              },
              complete: () => resolve()
            })
          })
        } finally {
          await client.close()
        }
        const before = Array.from({ length: state.fuzzAt * PAGE }, (_, i) => idOf(i))
        expect(delivered.slice(0, before.length)).toEqual(before)
        expect(new Set(delivered).size).toBe(delivered.length)
        if (failure !== undefined) {
          const tag = (failure as { _tag?: string })._tag ?? `untyped ${String(failure)}`
          tags[tag] = (tags[tag] ?? 0) + 1
          typedFailures++
          // Any of the sources' typed errors (a fuzzed envelope may claim anything, a spent quota too).
          expect(["DecodeError", "NetworkError", "ServerError", "InvalidRequestError", "SearchIdExpiredError", "RateLimitedError", "AuthError", "QuotaExhaustedError"]).toContain(tag)
          // Our own messages are one line; an error envelope's message is passed on as the API sent
          // it (see the known finding below).
          if (tag === "DecodeError" || tag === "NetworkError") expect(String((failure as Error).message)).not.toContain("\n")
        }
      }),
      { numRuns: runs }
    )
    recordPart("sourceFuzz", {
      title: "Bad input: a source reading a stream of pages with one fuzzed page",
      lines: [
        `${fuzzed} harvests of 1–6 pages where one page (any position) is a fuzzed body every time it is requested (retries cannot save it)`,
        `records of every page before it delivered in order, none lost, none twice, in all ${fuzzed}; ${typedFailures} ended with a typed error (${Object.entries(tags).map(([k, v]) => `${k} ${v}`).join(", ")}), the rest read a body that still decoded`
      ],
      figures: { fuzzed, typedFailures, tags, recordsLost: 0 }
    })
  })

  it("an API error message with a line break reaches the caller as one line", async () => {
    Object.assign(state, { pages: 1, fuzzAt: 0, fuzzBody: JSON.stringify({ data: {}, error: { code: "invalid_params", message: "bad\nrequest", log_id: "x" } }) })
    const client = createTikTokClient({ baseUrl: url, credentials: { clientKey: "fuzz-key", clientSecret: "fuzz-secret" }, rate: 1_000_000 })
    try {
      const failure = await new Promise<unknown>((resolve) =>
        toObservable(videoQuery({ query: { and: [{ field_name: "region_code", operation: "IN", field_values: ["US"] }] }, startDate: "20240101", endDate: "20240101" }), client)
          .subscribe({ error: resolve, complete: () => resolve(undefined) }))
      expect((failure as { _tag?: string })._tag).toBe("InvalidRequestError")
      expect(String((failure as Error).message)).not.toContain("\n")
    } finally {
      await client.close()
    }
  })
})
