// A team of `params.workers` tikflow processes (the built CLI) running the same video query with
// `--coordinator postgres://…` into `--out postgres://…`, against a sandbox that answers after
// `latencyMs` (the harness starts it): records/s from the first spawn until the last worker exits,
// records counted in the table. Each worker runs one window at a time (`--concurrency 1`, one-day
// windows as items) with its own rate limit out of the way, so one worker is latency-bound and the
// team's speed-up shows how well the work queue shares the job.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { dependencyOf } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url))
const { default: pg } = await dependencyOf("sinks", "pg")
const schema = `bench_workers_${process.pid}`
const uri = `${params.uri}?schema=${schema}`
const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-workers-"))

const worker = (i) =>
  new Promise((resolve, reject) => {
    const cwd = join(dir, `worker-${i}`)
    const child = spawn(process.execPath, [
      bin, "videos", "--query", "create_date >= 20000101", "--from", params.startDate, "--to", params.endDate, "--window-days", "1",
      "--out", uri, "--coordinator", uri, "--concurrency", "1", "--rate", "1000", "--daily-quota", "1000000", "--state", join(cwd, "state"), "--quiet"
    ], {
      env: {
        ...process.env,
        TIKFLOW_BASE_URL: params.url,
        TIKTOK_CLIENT_KEY: params.credentials.clientKey,
        TIKTOK_CLIENT_SECRET: params.credentials.clientSecret,
        XDG_STATE_HOME: join(cwd, "state-home")
      },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d))
    // 8: done, with values stored changed and counted (the sandbox puts U+0000 in some descriptions: escaped in PostgreSQL).
    child.on("exit", (code) => (code === 0 || code === 8 ? resolve() : reject(new Error(`worker ${i} exited ${code}: ${stderr.trim().split("\n").at(-1)}`))))
  })

const client = new pg.Client({ connectionString: params.uri })
await client.connect()
try {
  emit(await measure(async () => {
    await Promise.all(Array.from({ length: params.workers }, (_, i) => worker(i)))
    const { rows } = await client.query(`SELECT count(*) AS n FROM ${schema}.videos`)
    return { records: Number(rows[0].n), workers: params.workers }
  }))
} finally {
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await client.end()
  rmSync(dir, { recursive: true, force: true })
}
