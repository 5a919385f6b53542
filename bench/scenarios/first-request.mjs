// Startup: milliseconds from spawning `tikflow` to its first research request reaching the API, per
// sink — what a user waits before anything happens (`videos`: a video query into NDJSON). A loopback stand-in for the API answers the
// token request and notes when the first research request arrives; the CLI is then stopped.
// Baseline: a bare `node` that sends one request (Node's own startup). Run alone with
// `node bench/scenarios/first-request.mjs [runs]`, or as part of `pnpm bench` (BENCH_ONLY=startup).
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url))

/** A stand-in API: tokens for anyone; the first research request resolves `arrived`. */
const startStandIn = async () => {
  let onResearch = () => {}
  const server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      if (req.url?.startsWith("/v2/oauth/token")) {
        res.writeHead(200, { "content-type": "application/json" })
        return res.end(JSON.stringify({ access_token: "clt.bench", expires_in: 7200, token_type: "Bearer" }))
      }
      onResearch()
      res.writeHead(500, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: { code: "internal_error", message: "bench", log_id: "" } }))
    })
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    nextResearch: () => new Promise((resolve) => (onResearch = () => resolve(performance.now()))),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) })
  }
}

const variants = (url, dir) => ({
  baseline: ["-e", `fetch(${JSON.stringify(url + "/v2/research/user/info/")}, { method: "POST" }).catch(() => {})`],
  // The harvest most runs are: a video query into NDJSON (the target's case).
  videos: [bin, "videos", "--query", "region_code = US", "--from", "2024-01-01", "--to", "2024-01-02", "--out", `ndjson:${join(dir, "v.ndjson")}`, "--state", join(dir, "state-videos"), "--fresh"],
  ndjson: [bin, "user-info", "--username", "user_00001", "--out", `ndjson:${join(dir, "u.ndjson")}`, "--state", join(dir, "state-ndjson"), "--fresh"],
  duckdb: [bin, "user-info", "--username", "user_00001", "--out", `duckdb:${join(dir, "u.duckdb")}`, "--state", join(dir, "state-duckdb"), "--fresh"]
})

/** Milliseconds from spawn to the first research request, `runs` times per variant, interleaved. */
export const measureFirstRequest = async (runs = 5) => {
  const api = await startStandIn()
  const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-startup-"))
  const out = {}
  try {
    const all = variants(api.url, dir)
    for (let r = 0; r < runs; r++) {
      for (const [name, args] of Object.entries(all)) {
        const arrived = api.nextResearch()
        const started = performance.now()
        const child = spawn(process.execPath, args, {
          stdio: "ignore",
          // Its own quota ledgers: the machine's ledger of the "bench" key may be spent by earlier runs.
          env: { ...process.env, TIKFLOW_BASE_URL: api.url, TIKTOK_CLIENT_KEY: "bench", TIKTOK_CLIENT_SECRET: "bench-secret", XDG_STATE_HOME: join(dir, "state-home") }
        })
        const exited = new Promise((resolve) => child.once("exit", resolve))
        const ms = Math.round((await Promise.race([arrived, exited.then(() => NaN)])) - started)
        child.kill("SIGKILL")
        await exited
        ;(out[name] ??= []).push(ms)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await api.close()
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 5)
  const result = await measureFirstRequest(runs)
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  for (const [name, ms] of Object.entries(result)) console.log(`${name.padEnd(8)} first request after ${median(ms)} ms (runs: ${ms.join(", ")})`)
}
