import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Sandbox } from "@tikflow/sandbox"
import { GroundTruthRefusal, startSandbox, userInfoFieldNames, videoFieldNames } from "@tikflow/sandbox"
import { comments, followers, following, likedVideos, pinnedVideos, repostedVideos, userInfo } from "@tikflow/sources/internal"
import { clientFor, collectPages, recordsOfPages, sameRecord, smallWorld } from "./support/harvest-kit.js"

let sandbox: Sandbox
let usernames: Array<string>
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, world: { ...smallWorld, privateUserShare: 0.2, deletedUserShare: 0.1, maxFollowers: 150 } })
  usernames = Array.from({ length: 12 }, (_, i) => sandbox.world.users.user(i).username)
})
afterAll(() => sandbox.stop())
/** The ground truth of one user, or the refusal the API answers for them. */
const truthOr = <A>(f: () => A): A | "refused" => {
  try {
    return f()
  } catch (error) {
    if (error instanceof GroundTruthRefusal) return "refused"
    throw error
  }
}

const requestFaults = fc.record({
  serverError: fc.constantFrom(0, 0.1),
  gatewayTimeout: fc.constantFrom(0, 0.05),
  rateLimitNoRetryAfter: fc.constantFrom(0, 0.05),
  reset: fc.constantFrom(0, 0.05),
  malformed: fc.constantFrom(0, 0.05),
  truncated: fc.constantFrom(0, 0.05),
  tokenExpiry: fc.constantFrom(0, 0.05)
})
const clearFaults = () => sandbox.setFaults({
  serverError: 0, gatewayTimeout: 0, rateLimitNoRetryAfter: 0, reset: 0, malformed: 0, truncated: 0, tokenExpiry: 0
})

describe("per-user and per-video sources", () => {
  const lists = [
    { name: "followers", source: followers, truth: (u: string) => sandbox.groundTruth.followers(u), relation: "follower" },
    { name: "following", source: following, truth: (u: string) => sandbox.groundTruth.following(u), relation: "following" }
  ] as const

  for (const list of lists) {
    test.prop([requestFaults, fc.constantFrom(7, 50, 100), fc.integer({ min: 0, max: 11 })], { numRuns: 3 })(
      `${list.name}: every user's list exactly, private users skipped with an event`,
      async (faults, maxCount, first) => {
        sandbox.setFaults(faults)
        const { client, events } = clientFor(sandbox)
        try {
          const users = usernames.slice(first, first + 4)
          const records = recordsOfPages(await collectPages(list.source({ usernames: users, maxCount }), client))
          for (const username of users) {
            const truth = truthOr(() => list.truth(username))
            const mine = records.filter((r) => r.of_username === username)
            if (truth === "refused") {
              expect(mine).toEqual([])
              expect(events).toContainEqual(expect.objectContaining({ type: "item-refused", itemKind: "username", item: username, code: "invalid_params" }))
            } else {
              expect(mine.map((r) => [r.username, r.display_name, r.relation])).toEqual(
                truth.map((t) => [t.username, t.display_name, list.relation])
              )
            }
          }
        } finally {
          clearFaults()
          await client.close()
        }
      }
    )
  }

  const videoLists = [
    { name: "liked", source: likedVideos, truth: (u: string) => sandbox.groundTruth.likedVideos(u) },
    { name: "pinned", source: pinnedVideos, truth: (u: string) => sandbox.groundTruth.pinnedVideos(u) },
    { name: "reposted", source: repostedVideos, truth: (u: string) => sandbox.groundTruth.repostedVideos(u) }
  ] as const
  for (const list of videoLists) {
    it(`${list.name} videos: exactly each user's list, as user_video records`, async () => {
      sandbox.setFaults({ serverError: 0.1, truncated: 0.05 })
      const { client } = clientFor(sandbox)
      try {
        const records = recordsOfPages(await collectPages(list.source({ usernames, maxCount: 5 }), client))
        let compared = 0
        for (const username of usernames) {
          const truth = truthOr(() => list.truth(username))
          const mine = records.filter((r) => r.of_username === username)
          if (truth === "refused") {
            expect(mine).toEqual([])
            continue
          }
          expect(mine.map((r) => r.id)).toEqual(truth.map((t) => t.id))
          mine.forEach((r, i) => {
            expect(r.list).toBe(list.name)
            expect(sameRecord(r as never, truth[i] as never, videoFieldNames)).toBe(true)
          })
          compared += mine.length
        }
        expect(compared).toBeGreaterThan(0)
      } finally {
        clearFaults()
        await client.close()
      }
    })
  }

  it("user info: one request per user; unknown or private users are records with lookup_error", async () => {
    const { client, events } = clientFor(sandbox)
    const before = sandbox.stats.requests["user/info"]
    try {
      const users = [...usernames, "nobody_here"]
      const records = recordsOfPages(await collectPages(userInfo({ usernames: users }), client))
      expect(records.map((r) => r.username)).toEqual(users)
      // Refused lookups are invalid requests: never retried.
      expect(sandbox.stats.requests["user/info"] - before).toBe(users.length)
      let refused = 0
      for (const record of records) {
        const truth = truthOr(() => sandbox.groundTruth.userInfo(record.username))
        if (truth === "refused") {
          refused++
          expect(record).toMatchObject({ lookup_error: "invalid_params", display_name: null, follower_count: null })
          expect(events).toContainEqual(expect.objectContaining({ type: "item-refused", endpoint: "/v2/research/user/info/", itemKind: "username", item: record.username, code: "invalid_params" }))
        } else {
          expect(record.lookup_error).toBeNull()
          expect(sameRecord(record as never, truth as never, userInfoFieldNames)).toBe(true)
        }
      }
      expect(refused).toBeGreaterThan(1)
    } finally {
      await client.close()
    }
  })

  it("comments: every reachable comment of each video (first 1,000), offset cursor followed", async () => {
    sandbox.setFaults({ serverError: 0.1, reset: 0.05 })
    const { client } = clientFor(sandbox)
    try {
      // Videos with many comments first, so the 1,000 cap is exercised when the world has one.
      const ids = Array.from({ length: 300 }, (_, i) => sandbox.world.videos.video(i).id)
      const chosen = [...ids].sort((a, b) => sandbox.groundTruth.comments(b).length - sandbox.groundTruth.comments(a).length).slice(0, 3)
      const records = recordsOfPages(await collectPages(comments({ videoIds: chosen }), client))
      for (const id of chosen) {
        const truth = sandbox.groundTruth.comments(id)
        expect(truth.length).toBeLessThanOrEqual(1000)
        expect(records.filter((c) => c.video_id === id).map((c) => [c.id, c.parent_comment_id, c.text])).toEqual(
          truth.map((c) => [c.id, c.parent_comment_id ?? null, c.text ?? null])
        )
      }
      expect(records.length).toBeGreaterThan(0)
    } finally {
      clearFaults()
      await client.close()
    }
  })
})

it("comments stop at the 1,000 reachable per video, without asking past the cap", async () => {
  const busy = await startSandbox({ seed: 4, world: { users: 20, videos: 40, startDate: "2024-01-01", days: 5, manyCommentsShare: 1 } })
  const { client, events } = clientFor(busy)
  try {
    const ids = Array.from({ length: 40 }, (_, i) => busy.world.videos.video(i).id)
      .filter((id) => busy.groundTruth.comments(id).length > 0)
      .slice(0, 2)
    const records = recordsOfPages(await collectPages(comments({ videoIds: ids }), client))
    for (const id of ids) {
      const truth = busy.groundTruth.comments(id)
      expect(truth).toHaveLength(1000)
      expect(records.filter((c) => c.video_id === id).map((c) => c.id)).toEqual(truth.map((c) => c.id))
    }
    expect(events.filter((e) => e.type === "item-refused")).toEqual([])
    expect(busy.stats.requests["video/comment/list"]).toBe(20)
  } finally {
    await client.close()
    await busy.stop()
  }
})
