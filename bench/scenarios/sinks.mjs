// Sinks alone, as the CLI drives them: `records` synthetic videos (built before the clock starts)
// written through the Parquet or DuckDB sink in pages of 100 records (the API's page; the sink
// builds its own Arrow batches, as in a harvest), a flush every 50,000 records, then close —
// vs the floor: DuckDB's own `CREATE TABLE … AS SELECT * FROM read_parquet(…)` of the same rows.
// Opening the sink (loading DuckDB or parquet-wasm, creating tables) is timed apart as openMs.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dependencyOf, load } from "../lib/dist.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"
import { writeInEpochs } from "../lib/sink-epochs.mjs"
import { videoBatches, videoStreamContext } from "../lib/synthetic.mjs"

const params = paramsOf()
const sinks = await load("sinks")
const PAGE = params.page ?? 100

const context = videoStreamContext("bench-sinks")

/** Opens the sink: the set-up a harvest pays once. */
const openSink = (uri) => sinks.resolveSink(uri).open(context)

const writeAll = (writer, batches) => writeInEpochs(writer, context.harvestId, batches)

const filesUnder = (dir) => readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => f.endsWith(".parquet"))

const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-sinks-"))
try {
  const batches = [...videoBatches(0, params.records, PAGE)].map((records) => ({ records }))
  if (params.mode === "floor") {
    // The same rows as Parquet first (untimed), then DuckDB's own load of them (timed).
    await writeAll(await openSink(`parquet:${join(dir, "pq")}${params.compression ? `?compression=${params.compression}` : ""}`), batches)
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
      ? `parquet:${join(dir, "pq")}${params.compression ? `?compression=${params.compression}` : ""}`
      : `duckdb:${join(dir, "sink.duckdb")}`
    const opening = performance.now()
    const writer = await openSink(uri)
    const openMs = Math.round(performance.now() - opening)
    emit(await measure(async () => {
      await writeAll(writer, batches)
      const bytes = params.mode === "parquet" ? filesUnder(join(dir, "pq")).reduce((s, f) => s + statSync(f).size, 0) : statSync(join(dir, "sink.duckdb")).size
      return { records: params.records, bytes, openMs }
    }))
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
