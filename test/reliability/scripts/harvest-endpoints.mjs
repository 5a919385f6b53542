// Harvests all 8 endpoints from a sandbox with the built sources and prints one JSON line:
// the records per endpoint, retries by error kind and progress counts. argv[2]: params as JSON.
import { dependencyOf, load } from "./dist.mjs"

const params = JSON.parse(process.argv[2])
const core = await load("core")
const sources = await load("sources")
const { Effect, Stream } = await dependencyOf("sources", "effect")

const retries = {}
const userErrors = {}
let requests = 0
const fast = core.Retry.backoff({ base: "5 millis", cap: "50 millis", times: params.retryTimes ?? 12 })
const client = sources.createTikTokClient({
  baseUrl: params.url,
  credentials: params.credentials,
  rate: 1_000_000,
  quota: { limit: 1_000_000_000 },
  timeouts: { connectMs: 2_000, headersMs: params.timeoutMs ?? 1_000, bodyMs: params.timeoutMs ?? 1_000 },
  retry: {
    maxRetries: params.retryTimes ?? 12,
    schedules: { ServerError: fast, NetworkError: fast, DecodeError: fast, RateLimitedError: fast, SearchIdExpiredError: fast }
  },
  onProgress: (event) => {
    if (event.type === "retry") retries[event.kind] = (retries[event.kind] ?? 0) + 1
    if (event.type === "request") requests++
    if (event.type === "item-refused") userErrors[event.code] = (userErrors[event.code] ?? 0) + 1
  }
})

const collect = (source) =>
  Effect.runPromise(
    Stream.runCollect(sources.recordsOf(source)).pipe(
      Effect.map((chunk) => Array.from(chunk)),
      Effect.provideService(sources.TikTokClient, client.service)
    )
  )

try {
  const out = {}
  out.videos = await collect(sources.videoQuery({ query: params.query, startDate: params.startDate, endDate: params.endDate, windowDays: params.windowDays ?? 30, maxCount: params.maxCount }))
  out.user_info = await collect(sources.userInfo({ usernames: params.usernames }))
  out.comments = await collect(sources.comments({ videoIds: params.videoIds, maxCount: params.maxCount }))
  out.followers = await collect(sources.followers({ usernames: params.usernames, maxCount: params.maxCount }))
  out.following = await collect(sources.following({ usernames: params.usernames, maxCount: params.maxCount }))
  out.liked_videos = await collect(sources.likedVideos({ usernames: params.usernames, maxCount: params.maxCount }))
  out.pinned_videos = await collect(sources.pinnedVideos({ usernames: params.usernames, maxCount: params.maxCount }))
  out.reposted_videos = await collect(sources.repostedVideos({ usernames: params.usernames, maxCount: params.maxCount }))
  process.stdout.write(JSON.stringify({ records: out, retries, userErrors, requests }) + "\n")
} finally {
  await client.close()
}
