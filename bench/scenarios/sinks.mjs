// Sinks alone: `records` synthetic videos as in-memory Arrow batches (built before the clock
// starts) written through the Parquet or DuckDB sink (write, flush, close), vs the floor: DuckDB's
// own `CREATE TABLE … AS SELECT * FROM read_parquet(…)` of the same rows from Parquet files.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dependencyOf, load } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"
import { videoBatches, videoStreamContext } from "../lib/synthetic.mjs"

const params = paramsOf()
const sinks = await load("sinks")
const BATCH = 10_000

const context = videoStreamContext("bench-sinks")

const checkpoint = (epoch) => ({ version: 1, harvestId: context.harvestId, epoch, state: { epoch }, updatedAt: new Date().toISOString() })

/** Writes every batch and flushes every 50,000 records, as the pipeline runner's default epochs do. */
const writeAll = async (uri, batches) => {
  const writer = await sinks.resolveSink(uri).open(context)
  let epoch = 1
  let inEpoch = 0
  for (const batch of batches) {
    await writer.write({ ...batch, epoch })
    inEpoch += batch.records.length
    if (inEpoch >= 50_000) {
      await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
      epoch++
      inEpoch = 0
    }
  }
  if (inEpoch > 0) await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
  await writer.close()
}

const filesUnder = (dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => f.endsWith(".parquet"))

const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-sinks-"))
try {
  const batches = [...videoBatches(0, params.records, BATCH)].map((records) => ({ records, arrow: sinks.toRecordBatch("video", records) }))
  if (params.mode === "floor") {
    // The same rows as Parquet first (untimed), then DuckDB's own load of them (timed).
    await writeAll(`parquet:${join(dir, "pq")}?compression=${params.compression ?? "zstd"}`, batches)
    batches.length = 0
    const files = filesUnder(join(dir, "pq"))
    const { DuckDBInstance } = await dependencyOf("sinks", "@duckdb/node-api")
    emit(await measure(async () => {
      const db = await DuckDBInstance.create(join(dir, "floor.duckdb"))
      const connection = await db.connect()
      await connection.run(`CREATE TABLE videos AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(",")}])`)
      const count = Number((await connection.runAndReadAll("SELECT count(*) FROM videos")).getRows()[0][0])
      connection.closeSync()
      db.closeSync()
      return { records: count }
    }))
  } else {
    const uri = params.mode === "parquet"
      ? `parquet:${join(dir, "pq")}?compression=${params.compression ?? "zstd"}`
      : `duckdb:${join(dir, "sink.duckdb")}`
    emit(await measure(async () => {
      await writeAll(uri, batches)
      const bytes = params.mode === "parquet" ? filesUnder(join(dir, "pq")).reduce((s, f) => s + statSync(f).size, 0) : statSync(join(dir, "sink.duckdb")).size
      return { records: params.records, bytes }
    }))
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
