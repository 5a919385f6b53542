// The harvest as a user runs it: the built `tikflow videos` binary in its own process, against the
// sandbox, with everything the CLI does by default: its quota ledger, checkpoints, persistent dedupe,
// raw archive (`<state>/archive/`, on by default), history counts, provenance columns and sinks. Only
// the rate limit and the daily quota are opened wide (the benchmark measures throughput, not the API's limits).
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { allVideos } from "./baseline-harvest.mjs"

const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url))
const preload = fileURLToPath(new URL("./usage-on-exit.mjs", import.meta.url))

/** Sink URIs by name, each writing under `dir`. */
export const cliSinkUris = {
  parquet: (dir) => `parquet:${join(dir, "parquet")}`,
  duckdb: (dir) => `duckdb:${join(dir, "bench.duckdb")}`,
  ndjson: (dir) => `ndjson:${join(dir, "videos.ndjson")}`
}

const DAY = (yyyymmdd) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`

/** The records and requests of the text summary the CLI prints when not on a terminal. */
const summaryOf = (text) => {
  const records = text.match(/^\s+videos\s+(\d+) records/m)
  const requests = text.match(/^\s+(\d+) requests,/m)
  if (records === null || requests === null) throw new Error(`tikflow printed no summary: ${text.trim().split("\n").slice(-5).join(" | ")}`)
  return { records: Number(records[1]), requests: Number(requests[1]) }
}

/**
 * Runs `tikflow videos … --out <sink>` over params.startDate..endDate, printing what it prints by
 * default off a terminal (its final progress line and summary); resolves the wall time from spawn
 * to exit, the CLI process's CPU time and peak RSS, and the records and requests of its summary.
 * `nodeArgs` go before the script (e.g. a heap flag, to compare).
 */
export const runCliHarvest = (params, sink, { nodeArgs = [] } = {}) => {
  const dir = mkdtempSync(join(params.tmp ?? tmpdir(), `tikflow-bench-cli-${sink}-`))
  const queryFile = join(dir, "query.json")
  writeFileSync(queryFile, JSON.stringify(allVideos))
  const usageFile = join(dir, "usage.json")
  const args = [
    ...nodeArgs, "--import", preload, bin, "videos",
    "--query-file", queryFile, "--from", DAY(params.startDate), "--to", DAY(params.endDate),
    "--out", cliSinkUris[sink](dir) + (params.sinkQuery ?? ""), "--state", join(dir, "state"), "--quota-ledger", join(dir, "quota.json"),
    "--rate", "1000000", "--daily-quota", "10000000", "--concurrency", String(params.concurrency ?? 2)
  ]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TIKFLOW_BASE_URL: params.url, TIKTOK_CLIENT_KEY: params.credentials.clientKey, TIKTOK_CLIENT_SECRET: params.credentials.clientSecret, TIKFLOW_BENCH_USAGE: usageFile }
    })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d))
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d))
    child.on("exit", (code) => {
      const ms = performance.now() - started
      try {
        if (code !== 0) throw new Error(`tikflow exited ${code}: ${(err || out).trim().split("\n").slice(-5).join("\n")}`)
        const usage = JSON.parse(readFileSync(usageFile, "utf8"))
        resolve({ ms, usage, summary: summaryOf(out + "\n" + err) })
      } catch (error) {
        reject(error)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}
