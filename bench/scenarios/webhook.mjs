// Webhook: `records` synthetic videos in batches of `batchSize` POSTed to the loopback receiver
// through the webhook sink at `concurrency`, vs the baseline: a bare undici loop POSTing the same
// JSON batches with the same concurrency.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dependencyOf, load } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"
import { videoBatches, videoStreamContext } from "../lib/synthetic.mjs"

const params = paramsOf()
const batches = [...videoBatches(0, params.records, params.batchSize)]

const baseline = async () => {
  const url = new URL(params.url)
  const pool = new undici.Pool(url.origin, { connections: params.concurrency })
  const queue = batches.map((records, i) => ({ records, i }))
  const workers = Array.from({ length: params.concurrency }, async () => {
    for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
      const response = await pool.request({
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `bench-${b.i}` },
        body: JSON.stringify({ records: b.records })
      })
      await response.body.dump()
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`)
    }
  })
  await Promise.all(workers)
  await pool.close()
  return { records: params.records, batches: batches.length }
}

// Loaded before the clock starts, like the baseline's undici.
const sinks = params.mode === "baseline" ? undefined : await load("sinks")
const undici = await dependencyOf("sinks", "undici")

const sink = async () => {
  const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-webhook-"))
  try {
    const uri = `${params.url}?secret=bench-secret&concurrency=${params.concurrency}&batch_size=${params.batchSize}&dead_letter=${join(dir, "dead")}`
    const writer = await sinks.resolveSink(`webhook:${uri}`).open(videoStreamContext("bench-webhook"))
    for (const records of batches) await writer.write({ records, epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: { version: 1, harvestId: "bench-webhook", epoch: 1, state: null, updatedAt: new Date().toISOString() } })
    await writer.close()
    return { records: params.records, batches: batches.length }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const result = await measure(params.mode === "baseline" ? baseline : sink)
emit({ ...result, batchesPerSecond: Math.round((result.batches / result.ms) * 1000) })
