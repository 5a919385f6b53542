// The bare baseline the source and end-to-end scenarios compare tikflow with: an undici loop and
// `JSON.parse`, nothing else. It loads none of tikflow (only undici and the video field list, a
// module without imports): the end-to-end ratio times whole processes from spawn to exit, and
// loading core, sources, Effect and RxJS unbundled cost this process 0.57–0.67 s of CPU it never
// used (12 of its 21.4 µs per record at 50k in stop 19's run), which flattered the CLI most at the
// smallest size and made the ratio fall with size by construction (bench/findings.md, stop 20).
import { dependencyOf, distModule } from "./dist.mjs"

const undici = await dependencyOf("sources", "undici")
const { videoFields } = await distModule("core", "records/video.js")

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
    const path = `/v2/research/video/query/?fields=${videoFields.join(",")}`
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
