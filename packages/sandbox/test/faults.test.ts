import type { FaultKind } from "@tikflow/sandbox"
import { faultKinds, startSandbox, videoFieldNames } from "@tikflow/sandbox"
import { describe, expect, it } from "vitest"
import { parseLossless } from "./support/lossless-json.js"
import { token } from "./support/client.js"

const query = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "FR", "JP"] }] }
const window = { start_date: "20240101", end_date: "20240115" }

type Observed = FaultKind | "ok" | "ambiguous"

/** One raw request, classified by what the client can see. */
const observe = async (url: string, accessToken: string, body: unknown, giveUp: AbortSignal): Promise<Observed> => {
  let response: Response
  try {
    response = await fetch(`${url}/v2/research/video/query/?fields=id`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: giveUp
    })
  } catch {
    return giveUp.aborted ? "timeout" : "reset"
  }
  let text: string
  try {
    text = await response.text()
  } catch {
    return "truncated"
  }
  if (response.status === 429) return response.headers.get("retry-after") ? "rateLimit" : "rateLimitNoRetryAfter"
  if (response.status === 500) return "serverError"
  if (response.status === 504) return response.headers.get("content-type")?.startsWith("text/html") ? "gatewayTimeout" : "ambiguous"
  if (response.status === 401) return "tokenExpiry"
  if (response.status === 400) return /search_id.*invalid or expired/.test(text) ? "searchIdInvalid" : "ambiguous"
  try {
    JSON.parse(text)
  } catch {
    return "malformed"
  }
  return response.status === 200 ? "ok" : "ambiguous"
}

/**
 * Sends one raw request per token at once and waits for every answer; gives up (a `timeout`) only on
 * the requests the server decided never to answer — once every other request has settled, which
 * also means every request reached the server and drew its fault. A timer would instead give up on
 * requests a loaded machine had not even delivered yet, and those never draw a fault.
 */
const observeBatch = async (sandbox: Awaited<ReturnType<typeof startSandbox>>, tokens: ReadonlyArray<string>, body: unknown) => {
  const giveUp = new AbortController()
  const timeoutsBefore = sandbox.stats.faults.timeout
  let settled = 0
  const observed = Promise.all(tokens.map((t) => observe(sandbox.url, t, body, giveUp.signal).finally(() => settled++)))
  while (settled + (sandbox.stats.faults.timeout - timeoutsBefore) < tokens.length) await new Promise((resolve) => setTimeout(resolve, 20))
  giveUp.abort()
  return observed
}

describe("fault injection", () => {
  it("injects every kind at its configured rate, reproducibly", async () => {
    const rate = 0.06
    const requests = 600
    const counts = async () => {
      const sandbox = await startSandbox({ seed: 5, quotaPerDay: 1_000_000, world: { videos: 5000 } })
      try {
        const accessToken = await token(sandbox)
        const first = parseLossless(await (await fetch(`${sandbox.url}/v2/research/video/query/?fields=id`, {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          body: JSON.stringify({ query, ...window, max_count: 50 })
        })).text())
        sandbox.setFaults({ ...Object.fromEntries(faultKinds.map((k) => [k, rate])), slowMs: 5, retryAfterSeconds: 2 })
        // Every request gets its own token (a tokenExpiry fault revokes one) and the same applicable shape:
        // a later page of a live search, so each draw of the fault PRNG lands on a request it applies to.
        const tokens = await Promise.all(Array.from({ length: requests }, () => token(sandbox)))
        const body = { query, ...window, max_count: 50, cursor: first.data.cursor, search_id: first.data.search_id }
        const observed: Array<Observed> = []
        for (let k = 0; k < requests; k += 300) observed.push(...(await observeBatch(sandbox, tokens.slice(k, k + 300), body)))
        return { injected: { ...sandbox.stats.faults }, observed }
      } finally {
        await sandbox.stop()
      }
    }
    const { injected, observed } = await counts()
    for (const kind of faultKinds) {
      // Binomial(600, 0.06): mean 36, sd ≈ 5.8. The PRNG is seeded, so this never flakes.
      expect(injected[kind], kind).toBeGreaterThanOrEqual(18)
      expect(injected[kind], kind).toBeLessThanOrEqual(54)
    }
    // What the client saw matches what was injected. It gives up only on the requests the server
    // never answers (see observeBatch), so the timeouts are exact; the other kinds are bounds.
    const seen = (kind: Observed) => observed.filter((o) => o === kind).length
    const visible = ["rateLimit", "rateLimitNoRetryAfter", "serverError", "gatewayTimeout", "reset", "malformed", "truncated", "tokenExpiry", "searchIdInvalid"] as const
    // A 500 is either kind of server error (the window here spans 15 days: busy).
    const injectedSeen = (kind: (typeof visible)[number]) => (kind === "serverError" ? injected.serverError + injected.busyWindow : injected[kind])
    for (const kind of visible) {
      expect(seen(kind), kind).toBeGreaterThan(0)
      expect(seen(kind), kind).toBeLessThanOrEqual(injectedSeen(kind))
    }
    expect(seen("timeout")).toBe(injected.timeout)
    expect(seen("ambiguous")).toBe(0)
    // Same seed, same request shapes: the same counts.
    expect((await counts()).injected).toEqual(injected)
  }, 120_000)

  it("keeps the ground truth reachable: a faithful client that retries and dedupes gets exactly it", async () => {
    const sandbox = await startSandbox({
      seed: 9,
      quotaPerDay: 1_000_000,
      world: { videos: 8000 },
      faults: {
        shortPage: 0.15, emptyPage: 0.1, repeat: 0.15, searchIdInvalid: 0.1, serverError: 0.05, rateLimit: 0.05,
        malformed: 0.05, retryAfterSeconds: 0
      }
    })
    try {
      const accessToken = await token(sandbox)
      const request = { query, start_date: "20240101", end_date: "20240130" }
      const received: Array<any> = []
      let cursor = 0
      let searchId: string | undefined
      for (let attempts = 0; attempts < 10_000; attempts++) {
        const response = await fetch(`${sandbox.url}/v2/research/video/query/?fields=${videoFieldNames.join(",")}`, {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          body: JSON.stringify({ ...request, max_count: 20, cursor, search_id: searchId })
        })
        const text = await response.text()
        if (response.status !== 200) continue // retry the same page
        let page
        try {
          page = parseLossless(text)
        } catch {
          continue
        }
        received.push(...page.data.videos)
        if (!page.data.has_more) break
        cursor = page.data.cursor
        searchId = page.data.search_id
      }
      const truth = sandbox.groundTruth.videos(request)
      const unique = new Map(received.map((v) => [v.id, v]))
      expect([...unique.values()].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([...truth].sort((a, b) => (a.id < b.id ? -1 : 1)))
      expect(received.length - unique.size).toBe(sandbox.stats.faults.repeat)
      for (const kind of ["shortPage", "emptyPage", "repeat", "searchIdInvalid", "serverError", "rateLimit", "malformed"] as const) {
        expect(sandbox.stats.faults[kind], kind).toBeGreaterThan(0)
      }
    } finally {
      await sandbox.stop()
    }
  })

  it("busyWindow fails video queries over windows wider than busyWindowDays only", async () => {
    const sandbox = await startSandbox({ faults: { busyWindow: 1, busyWindowDays: 7 } })
    try {
      const accessToken = await token(sandbox)
      const ask = (end_date: string) =>
        fetch(`${sandbox.url}/v2/research/video/query/?fields=id`, {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          body: JSON.stringify({ query, start_date: "20240101", end_date, max_count: 10 })
        })
      const wide = await ask("20240108")
      expect(wide.status).toBe(500)
      expect(((await wide.json()) as any).error.code).toBe("internal_error")
      expect((await ask("20240107")).status).toBe(200)
      expect(sandbox.stats.faults.busyWindow).toBe(1)
    } finally {
      await sandbox.stop()
    }
  })

  it("stop() closes connections a timeout fault left hanging", async () => {
    const sandbox = await startSandbox({ faults: { timeout: 1 } })
    const accessToken = await token(sandbox)
    const hanging = fetch(`${sandbox.url}/v2/research/user/info/?fields=display_name`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ username: "user_00001" })
    }).then(() => "answered", () => "failed")
    while (sandbox.stats.faults.timeout === 0) await new Promise((r) => setTimeout(r, 5))
    await sandbox.stop()
    expect(await hanging).toBe("failed")
  })

  it("refuses rates outside 0..1, unknown kinds, and rates summing above 1", async () => {
    const sandbox = await startSandbox()
    try {
      expect(() => sandbox.setFaults({ serverError: 1.5 })).toThrow(/faults.serverError/)
      expect(() => sandbox.setFaults({ nope: 0.1 } as never)).toThrow(/faults.nope/)
      expect(() => sandbox.setFaults({ serverError: 0.6, rateLimit: 0.6 })).toThrow(/sum to at most 1/)
    } finally {
      await sandbox.stop()
    }
  })
})
