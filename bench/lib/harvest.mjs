// The harvests the scenarios time: the bare undici baseline and tikflow's Effect and RxJS sources.
import { dependencyOf, load } from "./dist.mjs"

const core = await load("core")
const sources = await load("sources")
const effect = await dependencyOf("sources", "effect")
const undici = await dependencyOf("sources", "undici")
// An RxJS program has rxjs loaded before it subscribes (it imports it to compose and subscribe), as
// the Effect face has effect: loaded here, untimed. The library loads it on first use (core's
// `rxjs()`, the same CommonJS instance), which otherwise timed ~30–40 ms of module loading as part
// of the RxJS harvest: ~0.6–0.8 µs per record at 50k, the whole gap between the two faces.
await dependencyOf("sources", "rxjs")

const { Effect, Stream } = effect
const DAY_MS = 86_400_000
const day = (text) => Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8)) / DAY_MS
const fmt = (d) => new Date(d * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "")

/** A query matching every video of the sandbox world. */
export const allVideos = { and: [{ field_name: "create_date", operation: "GTE", field_values: ["20000101"] }] }

/** [start, end] YYYYMMDD windows of `windowDays` covering the range, as the source cuts them. */
export const windowsOf = (startDate, endDate, windowDays = 30) => {
  const out = []
  for (let s = day(startDate); s <= day(endDate); s += windowDays) out.push([fmt(s), fmt(Math.min(day(endDate), s + windowDays - 1))])
  return out
}

/** A client with rate limit and quota out of the way: the benchmarks measure throughput. */
export const benchClient = (params, extra = {}) =>
  sources.createTikTokClient({
    baseUrl: params.url,
    credentials: params.credentials,
    rate: 1_000_000,
    quota: { limit: 1_000_000_000 },
    ...extra
  })

export const videoSource = (params, extra = {}) =>
  sources.videoQuery({
    query: allVideos,
    startDate: params.startDate,
    endDate: params.endDate,
    concurrency: params.concurrency ?? 2,
    // `repeats: "keep"` is the source as the CLI runs it (a dedupe stage follows and drops them).
    ...(params.repeats ? { repeats: params.repeats } : {}),
    ...extra
  })

/**
 * The baseline: a bare undici loop that gets a token, POSTs the same pages (same fields, 100 per
 * page, same window concurrency) following cursor and search_id, and `JSON.parse`s each body.
 */
export const baselineHarvest = async (params, onPage = () => undefined) => {
  const pool = new undici.Pool(new URL(params.url).origin, { connections: 8 })
  try {
    const tokenResponse = await pool.request({
      path: "/v2/oauth/token/",
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_key: params.credentials.clientKey,
        client_secret: params.credentials.clientSecret,
        grant_type: "client_credentials"
      }).toString()
    })
    const token = (await tokenResponse.body.json()).access_token
    const path = `/v2/research/video/query/?fields=${core.videoFields.join(",")}`
    let records = 0
    let requests = 0
    const harvestWindow = async ([start, end]) => {
      let cursor = null
      let searchId = null
      for (;;) {
        const body = { query: params.query ?? allVideos, start_date: start, end_date: end, max_count: 100 }
        if (cursor !== null) body.cursor = cursor
        if (searchId !== null) body.search_id = searchId
        const response = await pool.request({
          path,
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(body)
        })
        const text = await response.body.text()
        requests++
        if (response.statusCode !== 200) throw new Error(`baseline: HTTP ${response.statusCode}: ${text.slice(0, 200)}`)
        const data = JSON.parse(text).data
        records += data.videos.length
        onPage(data.videos)
        cursor = data.cursor
        searchId = data.search_id
        if (!data.has_more) return
      }
    }
    const queue = windowsOf(params.startDate, params.endDate, params.windowDays)
    const workers = Array.from({ length: params.concurrency ?? 2 }, async () => {
      for (let w = queue.shift(); w !== undefined; w = queue.shift()) await harvestWindow(w)
    })
    await Promise.all(workers)
    return { records, requests }
  } finally {
    await pool.close()
  }
}

/** The Effect face: `recordsOf(videoQuery(…))` run to completion on the client's service. */
export const effectHarvest = async (params) => {
  const client = benchClient(params)
  try {
    const count = await Effect.runPromise(
      Stream.runCount(sources.recordsOf(videoSource(params))).pipe(Effect.provideService(sources.TikTokClient, client.service))
    )
    return { records: count }
  } finally {
    await client.close()
  }
}

/** The RxJS face: `toObservable(videoQuery(…), client)` counted by a subscriber. */
export const rxjsHarvest = async (params) => {
  const client = benchClient(params)
  try {
    let records = 0
    await new Promise((resolve, reject) =>
      sources.toObservable(videoSource(params), client).subscribe({ next: () => records++, error: reject, complete: resolve }))
    return { records }
  } finally {
    await client.close()
  }
}
