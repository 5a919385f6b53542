import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { comments, followers, userInfo } from "@tikflow/sources/internal"
import { clientFor, collectPages, recordsOfPages, smallWorld } from "./support/harvest-kit.js"

let sandbox: Sandbox
let usernames: Array<string>
let videoIds: Array<string>
beforeAll(async () => {
  const { startSandbox } = await import("@tikflow/sandbox")
  sandbox = await startSandbox({ seed: 5, world: { ...smallWorld, privateUserShare: 0.2, deletedUserShare: 0.1, maxFollowers: 120 } })
  usernames = Array.from({ length: 10 }, (_, i) => sandbox.world.users.user(i).username)
  videoIds = Array.from({ length: 16 }, (_, i) => String(sandbox.world.videos.video(i * 7).id))
})
afterAll(() => sandbox.stop())

const faults = fc.record({
  serverError: fc.constantFrom(0, 0.1),
  reset: fc.constantFrom(0, 0.05),
  truncated: fc.constantFrom(0, 0.05),
  tokenExpiry: fc.constantFrom(0, 0.05)
})
const noFaults = { serverError: 0, reset: 0, truncated: 0, tokenExpiry: 0 }

/** Sources over a list of keys, built for a concurrency. */
const sources = {
  comments: (concurrency: number) => comments({ videoIds, concurrency }),
  // 7 per page: users with more than 10 pages go on past what a key fetches ahead.
  followers: (concurrency: number) => followers({ usernames, maxCount: 7, concurrency }),
  userInfo: (concurrency: number) => userInfo({ usernames, concurrency })
} as const

describe("keyed sources at a concurrency", () => {
  it("run as many requests at once as asked, never more (the server's own count under latency)", async () => {
    sandbox.setLatency(40)
    try {
      for (const concurrency of [1, 3, 6]) {
        const { client } = clientFor(sandbox)
        sandbox.resetPeakInFlight()
        try {
          await collectPages(sources.comments(concurrency), client)
        } finally {
          await client.close()
        }
        expect(sandbox.stats.peakInFlight, `concurrency ${concurrency}`).toBe(concurrency)
      }
    } finally {
      sandbox.setLatency(0)
    }
  })

  test.prop([fc.constantFrom(...Object.keys(sources) as Array<keyof typeof sources>), fc.integer({ min: 1, max: 8 }), faults], { numRuns: 12 })(
    "deliver the same pages and states as one at a time, under faults",
    async (name, concurrency, drawn) => {
      const { client } = clientFor(sandbox)
      try {
        const sequential = await collectPages(sources[name](1), client)
        sandbox.setFaults(drawn)
        const concurrent = await collectPages(sources[name](concurrency), client)
        // Each page's final response answered the same request (its arrival time and log id differ).
        const comparable = (pages: typeof sequential) =>
          pages.map(({ responses, ...page }) => ({ ...page, requests: responses?.map((r) => `${r.status} ${r.request}`) }))
        expect(comparable(concurrent)).toEqual(comparable(sequential))
      } finally {
        sandbox.setFaults(noFaults)
        await client.close()
      }
    }
  )

  test.prop([fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.nat()], { numRuns: 8 })(
    "resume from any delivered page's state at another concurrency: exactly the whole harvest",
    async (before, after, cut) => {
      const { client } = clientFor(sandbox)
      try {
        const whole = await collectPages(sources.followers(1), client)
        const taken = 1 + (cut % (whole.length - 1))
        const first = await collectPages(sources.followers(before), client, { take: taken })
        const rest = await collectPages(sources.followers(after), client, { resumeFrom: first[first.length - 1].state })
        expect(recordsOfPages([...first, ...rest])).toEqual(recordsOfPages(whole))
      } finally {
        await client.close()
      }
    }
  )
})
