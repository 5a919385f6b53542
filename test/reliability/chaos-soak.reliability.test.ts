import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { recordPart } from "./support/last-run.js"
import { bySize, mode } from "./support/mode.js"
import { differences } from "./support/compare.js"
import { ensureBuilt, lastJson, runNode, scriptPath } from "./support/run-node.js"
import { windowsOf } from "./support/windows.js"
import { faultKinds, GroundTruthRefusal, startSandbox } from "./support/sandbox.js"
import type { FaultKind, GroundTruth, Sandbox } from "./support/sandbox.js"

type Row = Record<string, unknown>

interface HarvestOutput {
  readonly records: Readonly<Record<string, ReadonlyArray<Row>>>
  readonly retries: Readonly<Record<string, number>>
  readonly userErrors: Readonly<Record<string, number>>
  readonly requests: number
}

// Every fault kind on. The sandbox draws at most one fault per request (rates sum to ≤ 1): the
// request-level kinds share 20% of requests (30% in long mode); the 4 page-level kinds (short,
// empty, repeated page, stale search_id) apply only to video-query pages, which are few, so each
// gets 5% (8%) of them.
const pageKinds: ReadonlyArray<string> = ["shortPage", "emptyPage", "repeat", "searchIdInvalid"]
const requestRate = bySize(0.2, 0.3)
const pageRate = bySize(0.05, 0.08)
const rates = Object.fromEntries(
  faultKinds.map((kind) => [kind, pageKinds.includes(kind) ? pageRate : requestRate / (faultKinds.length - pageKinds.length)])
) as Record<FaultKind, number>

const query = { or: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "FR", "JP", "BR"] }] }
const world = bySize(
  { users: 50, videos: 8_000, days: 60, maxFollowers: 400 },
  { users: 150, videos: 40_000, days: 120, maxFollowers: 1_500 }
)
const range = bySize({ startDate: "20240101", endDate: "20240229" }, { startDate: "20240101", endDate: "20240429" })

const truthOrEmpty = <A>(run: () => ReadonlyArray<A>): ReadonlyArray<A> => {
  try {
    return run()
  } catch (error) {
    if (error instanceof GroundTruthRefusal) return []
    throw error
  }
}

const videosOf = (truth: GroundTruth) =>
  windowsOf(range.startDate, range.endDate, 15).flatMap((w) => truth.videos({ query, ...w }))

const expectedOf = (truth: GroundTruth, usernames: ReadonlyArray<string>, videoIds: ReadonlyArray<string>) => {
  const perUser = <A extends object>(f: (u: string) => ReadonlyArray<A>, extra: (u: string) => Row) =>
    usernames.flatMap((u) => truthOrEmpty(() => f(u)).map((r) => ({ ...r, ...extra(u) }) as Row))
  return {
    videos: videosOf(truth) as unknown as ReadonlyArray<Row>,
    comments: videoIds.flatMap((id) => truth.comments(id)) as unknown as ReadonlyArray<Row>,
    followers: perUser(truth.followers, (u) => ({ of_username: u })),
    following: perUser(truth.following, (u) => ({ of_username: u })),
    liked_videos: perUser(truth.likedVideos, (u) => ({ of_username: u })),
    pinned_videos: perUser(truth.pinnedVideos, (u) => ({ of_username: u })),
    reposted_videos: perUser(truth.repostedVideos, (u) => ({ of_username: u })),
    user_info: usernames.map((u) => {
      try {
        return { ...truth.userInfo(u), username: u } as Row
      } catch (error) {
        if (error instanceof GroundTruthRefusal) return { username: u, refused: true } as Row
        throw error
      }
    })
  }
}

const keys: Record<string, (r: Row) => string> = {
  videos: (r) => String(r.id),
  comments: (r) => String(r.id),
  followers: (r) => `${r.of_username}/${r.username}`,
  following: (r) => `${r.of_username}/${r.username}`,
  liked_videos: (r) => `${r.of_username}/${r.id}`,
  pinned_videos: (r) => `${r.of_username}/${r.id}`,
  reposted_videos: (r) => `${r.of_username}/${r.id}`,
  user_info: (r) => String(r.username)
}

describe(`chaos soak (${mode})`, () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    ensureBuilt()
    sandbox = await startSandbox({ seed: 2026, world: { ...world, startDate: "2024-01-01" }, quotaPerDay: 1e9, faults: { ...rates, slowMs: 30, retryAfterSeconds: 0 } })
  })
  afterAll(async () => {
    await sandbox?.stop()
  })

  it("harvests all 8 endpoints under every fault kind and equals the ground truth", async () => {
    const usernames = Array.from({ length: world.users }, (_, i) => `user_${String(i + 1).padStart(5, "0")}`)
    const truthVideos = videosOf(sandbox.groundTruth)
    const videoIds = truthVideos.filter((_, i) => i % Math.max(1, Math.floor(truthVideos.length / bySize(25, 120))) === 0).map((v) => String(v.id))

    const run = await runNode(scriptPath("harvest-endpoints.mjs"), {
      url: sandbox.url,
      credentials: sandbox.credentials,
      query,
      ...range,
      usernames,
      videoIds,
      // Small pages: more requests per record, so page faults get their share.
      maxCount: 25,
      windowDays: 15
    })
    const output = lastJson<HarvestOutput>(run)
    const expected = expectedOf(sandbox.groundTruth, usernames, videoIds)

    const problems: Array<string> = []
    for (const [endpoint, rows] of Object.entries(expected)) {
      let actual = output.records[endpoint] ?? []
      let wanted = rows
      if (endpoint === "user_info") {
        // Refused accounts are records too, with lookup_error set and no profile fields.
        const refused = new Set(rows.filter((r) => r.refused).map((r) => String(r.username)))
        for (const r of actual) if (refused.has(String(r.username)) && r.lookup_error === null) problems.push(`user_info: ${r.username} should carry a lookup_error`)
        actual = actual.filter((r) => !refused.has(String(r.username)))
        wanted = rows.filter((r) => !r.refused)
      }
      problems.push(...differences(endpoint, actual, wanted, keys[endpoint]))
    }
    expect(problems.slice(0, 20)).toEqual([])

    const injected = { ...sandbox.stats.faults }
    const total = Object.values(injected).reduce((a, b) => a + b, 0)
    const requests = Object.values(sandbox.stats.requests).reduce((a, b) => a + b, 0)
    const delivered = Object.fromEntries(Object.entries(output.records).map(([k, v]) => [k, v.length]))
    recordPart("chaosSoak", {
      title: "Chaos soak: all 8 endpoints, every fault kind on",
      lines: [
        `${requests} requests to the sandbox (request-level faults ${requestRate * 100}% of requests over ${faultKinds.length - pageKinds.length} kinds, page faults ${pageRate * 100}% of video pages per kind), ${total} faults injected and survived`,
        `faults survived by kind: ${Object.entries(injected).map(([k, v]) => `${k} ${v}`).join(", ")}`,
        `retries by error kind: ${Object.entries(output.retries).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
        `records delivered: ${Object.entries(delivered).map(([k, v]) => `${k} ${v}`).join(", ")}; every record equals the ground truth, none missing, none extra, none twice`,
        "records lost: 0"
      ],
      figures: { requests, injected, retries: output.retries, delivered, recordsLost: 0 }
    })
    for (const kind of faultKinds) expect(injected[kind], `fault ${kind} injected`).toBeGreaterThan(0)
  })
})
