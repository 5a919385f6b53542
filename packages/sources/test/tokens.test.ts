import { afterAll, beforeAll, expect, it } from "vitest"
import type { ProgressEvent } from "@tikflow/core/internal"
import type { Sandbox } from "@tikflow/sandbox"
import { userInfo } from "@tikflow/sources/internal"
import { clientFor, collectPages, startSmallSandbox } from "./support/harvest-kit.js"

let now = Date.UTC(2024, 5, 1, 12)
let sandbox: Sandbox
beforeAll(async () => { sandbox = await startSmallSandbox({ seed: 9, tokenLifetimeSeconds: 100, clock: () => now }) })
afterAll(() => sandbox.stop())

const count = (events: ReadonlyArray<ProgressEvent>, action: string) =>
  events.filter((e) => e.type === "token" && e.action === action).length

it("one token request per refresh under 16 concurrent sources: proactive before expiry, and after early expiries", async () => {
  const { client, events } = clientFor(sandbox, { clock: () => now })
  const usernames = Array.from({ length: 48 }, (_, i) => sandbox.world.users.user(i).username)
  const batch = () =>
    Promise.all(Array.from({ length: 16 }, (_, k) => collectPages(userInfo({ usernames: usernames.slice(k * 3, k * 3 + 3) }), client)))
  const tokenRequests = () => sandbox.stats.requests["oauth/token"]
  try {
    await batch()
    expect(tokenRequests()).toBe(1)
    expect(count(events, "fetched")).toBe(1)

    // Past 90% of the lifetime but before expiry: exactly one proactive refresh, no 401 seen.
    now += 91_000
    await batch()
    expect(tokenRequests()).toBe(2)
    expect(count(events, "refreshed")).toBe(1)
    expect(count(events, "rejected")).toBe(0)

    // Long after expiry (the client slept): one refresh, still no 401.
    now += 3_600_000
    await batch()
    expect(tokenRequests()).toBe(3)
    expect(count(events, "rejected")).toBe(0)

    // Early expiries (revoked tokens): every rejection of the current token causes exactly one token request.
    // (A revoked token fails every request in flight with it, so keep the rate low.)
    sandbox.setFaults({ tokenExpiry: 0.02 })
    const faultsBefore = sandbox.stats.faults.tokenExpiry
    for (let round = 0; round < 10 && count(events, "rejected") === 0; round++) await batch()
    const rejections = count(events, "rejected")
    expect(rejections).toBeGreaterThan(0)
    expect(tokenRequests()).toBe(3 + rejections)
    expect(count(events, "refreshed")).toBe(2 + rejections)
    expect(rejections).toBeLessThanOrEqual(sandbox.stats.faults.tokenExpiry - faultsBefore)
    expect(sandbox.stats.tokensIssued).toBe(tokenRequests())
  } finally {
    sandbox.setFaults({ tokenExpiry: 0 })
    await client.close()
  }
})

it("the token never appears in progress events or errors", async () => {
  const { client, events } = clientFor(sandbox, { clock: () => now })
  try {
    await collectPages(userInfo({ usernames: ["nobody_here"] }), client)
    expect(JSON.stringify(events)).not.toMatch(/clt\./)
  } finally {
    await client.close()
  }
})
