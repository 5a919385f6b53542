// Measures how many 100-video pages/s the sandbox serves on loopback with faults off.
// Usage (after `pnpm exec tsc -b tsconfig.build.json`):
//   node packages/sandbox/scripts/measure-throughput.mjs [--videos 2000000] [--seconds 10] [--concurrency 8] [--same-page]
// --same-page re-requests one page (all cached: the HTTP + handler ceiling); otherwise lanes page
// through 30-day windows of the world (every video generated on first use).
// The client runs in a child process. Besides wall-clock pages/s (which on a shared machine
// depends on what else runs), it reports pages per CPU-second of the server process: the rate
// the server sustains when it has one core to itself.
import { fork } from "node:child_process"
import http from "node:http"

const isMainThread = process.send === undefined

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const fields = "id,create_time,username,region_code,video_description,music_id,like_count,comment_count,share_count,view_count,hashtag_names"
const query = { not: [{ field_name: "region_code", operation: "EQ", field_values: ["ZZ"] }] }
const windows = [["20240101", "20240130"], ["20240131", "20240301"], ["20240302", "20240330"]]

if (isMainThread) {
  const { startSandbox } = await import("../dist/index.js")
  const videos = arg("videos", 2_000_000)
  const t0 = performance.now()
  const sandbox = await startSandbox({ seed: 1, quotaPerDay: 1e9, msgKeyShare: 0, world: { videos, hiddenVideoShare: 0 } })
  const startMs = performance.now() - t0
  const child = fork(new URL(import.meta.url), [], { stdio: "inherit", execArgv: [] })
  const cpu0 = process.cpuUsage()
  child.send({ url: sandbox.url, key: sandbox.credentials.clientKey, secret: sandbox.credentials.clientSecret,
    seconds: arg("seconds", 10), concurrency: arg("concurrency", 8) })
  const result = await new Promise((resolve, reject) => { child.once("message", resolve); child.once("error", reject) })
  const cpu = process.cpuUsage(cpu0)
  await sandbox.stop()
  child.disconnect()
  const rss = Math.round(process.memoryUsage().rss / 1e6)
  const serverCpuSeconds = (cpu.user + cpu.system) / 1e6
  console.log(JSON.stringify({ videos, startMs: Math.round(startMs), ...result,
    pagesPerServerCpuSecond: Math.round(result.pages / serverCpuSeconds), serverRssMB: rss }))
} else {
  const { url, key, secret, seconds, concurrency, samePage } = await new Promise((resolve) => process.once("message", resolve))
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const call = (path, body, headers) => new Promise((resolve, reject) => {
    const req = http.request(url + path, { method: "POST", agent, headers: { "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks = []
      res.on("data", (c) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
    })
    req.on("error", reject)
    req.end(body)
  })
  const tokenBody = new URLSearchParams({ client_key: key, client_secret: secret, grant_type: "client_credentials" }).toString()
  const token = JSON.parse((await call("/v2/oauth/token/", tokenBody, { "content-type": "application/x-www-form-urlencoded" })).body).access_token
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" }
  const marker = Buffer.from('"create_time"')
  const deadline = performance.now() + seconds * 1000
  let pages = 0, videos = 0, bytes = 0
  const lane = async (w) => {
    let cursor = 0, searchId
    while (performance.now() < deadline) {
      const [start_date, end_date] = windows[w % windows.length]
      const res = await call(`/v2/research/video/query/?fields=${fields}`,
        JSON.stringify({ query, start_date, end_date, max_count: 100, cursor, search_id: searchId }), auth)
      if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body.toString().slice(0, 200)}`)
      pages++
      bytes += res.body.length
      // A light client (a slow reader inflates the server's cost): count records by their one
      // "create_time" each, read cursor / has_more / search_id from the tail.
      for (let at = res.body.indexOf(marker); at >= 0; at = res.body.indexOf(marker, at + 1)) videos++
      const tail = res.body.subarray(Math.max(0, res.body.length - 400)).toString("latin1")
      const more = tail.includes('"has_more":true')
      const c = /"cursor":(\d+)/.exec(tail)
      const s = /"search_id":"(\d+)"/.exec(tail)
      if (samePage) { searchId = s[1] } else if (more) { cursor = Number(c[1]); searchId = s[1] } else { cursor = 0; searchId = undefined; w += concurrency }
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, (_, w) => lane(w)))
  const elapsed = (performance.now() - t0) / 1000
  process.send({ pages, pagesPerSecond: Math.round(pages / elapsed), videosPerPage: +(videos / pages).toFixed(1), avgBodyKB: Math.round(bytes / pages / 1024) })
}
