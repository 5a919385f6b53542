// Where the DuckDB sink's time goes. Not a test: prints records/s per step.
//   pnpm exec tsc -b packages/sinks && node packages/sinks/scripts/measure-duckdb.mjs [records] [only] [dist/index.js…]
// `only`: "sink" (the sink end to end), "sink-file" (file databases only), "steps" (each step by hand), default both. Sinks are
// loaded from this package's dist, or from each given dist entry (e.g. a copy of an older build,
// to compare before/after in one run; the copy needs a node_modules link to this package's).
// Records are the benchmark's synthetic videos, written in batches of 10,000 with a flush every
// 50,000 (the pipeline's default epochs), once with new keys and once more with every key present.
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const { videoBatches } = await import(join(here, "../../../bench/lib/synthetic.mjs"))
const duckdb = createRequire(join(here, "../package.json"))("@duckdb/node-api")

const N = Number(process.argv[2] ?? 200_000)
const only = process.argv[3]
const builds = process.argv.length > 4 ? process.argv.slice(4) : [join(here, "../dist/index.js")]
const BATCH = 10_000
const EPOCH = 50_000
const batches = [...videoBatches(0, N, BATCH)]
const dir = mkdtempSync(join(tmpdir(), "tikflow-measure-duckdb-"))

const rate = (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")} rec/s (${ms.toFixed(0)} ms)`
const time = async (label, n, task) => {
  const start = performance.now()
  const out = await task()
  console.log(`${label.padEnd(58)} ${rate(n, performance.now() - start)}`)
  return out
}

const context = {
  harvestId: "measure",
  recordKind: "video",
  stream: "videos",
  primaryKey: ["id"],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  signal: new AbortController().signal,
  resume: undefined
}
const checkpoint = (epoch) => ({ version: 1, harvestId: "measure", epoch, state: { epoch }, updatedAt: new Date().toISOString() })

/** The sink end to end: write every batch, flush every EPOCH records. */
const throughSink = async (writer, firstEpoch) => {
  let epoch = firstEpoch
  let inEpoch = 0
  for (const records of batches) {
    await writer.write({ records, epoch })
    inEpoch += records.length
    if (inEpoch >= EPOCH) {
      await writer.flush({ epoch, checkpoint: checkpoint(epoch) })
      epoch++
      inEpoch = 0
    }
  }
  if (inEpoch > 0) await writer.flush({ epoch, checkpoint: checkpoint(epoch) }), epoch++
  return epoch
}

const measureSink = async (build, location, prefix) => {
  const sinks = await import(build)
  const label = `sink ${location === ":memory:" ? ":memory:" : "file"} [${build.replace(/\/dist\/index\.js$/, "").split("/").slice(-2).join("/")}]`
  const writer = await sinks.resolveSink(`duckdb:${location}${prefix ? `?table_prefix=${prefix}` : ""}`).open(context)
  const next = await time(`${label}: new keys`, N, () => throughSink(writer, 1))
  await time(`${label}: existing keys`, N, () => throughSink(writer, next))
  // Closing a file database checkpoints whatever its WAL still holds: part of the cost of a load.
  await time(`${label}: close (per record of both rounds)`, 2 * N, () => writer.close())
}

// ---- steps by hand, on a raw connection -------------------------------------------------------

const columns = ["id", "create_time", "username", "region_code", "video_description", "music_id", "like_count", "comment_count",
  "share_count", "view_count", "favorites_count", "hashtag_names", "effect_ids", "playlist_id", "voice_to_text",
  "is_stem_verified", "video_duration", "video_mention_list", "video_label", "video_tag", "hashtag_info_list",
  "sticker_info_list", "effect_info_list"]
const types = { create_time: "BIGINT", like_count: "BIGINT", comment_count: "BIGINT", share_count: "BIGINT", view_count: "BIGINT",
  favorites_count: "BIGINT", video_duration: "BIGINT", is_stem_verified: "BOOLEAN", hashtag_names: "VARCHAR[]", effect_ids: "VARCHAR[]",
  video_mention_list: "VARCHAR[]" }
const columnDefs = columns.map((c) => `${c} ${types[c] ?? "VARCHAR"}${c === "id" ? " NOT NULL" : ""}`).join(", ")
const list = columns.join(", ")

const appendRowwise = async (connection, table, records) => {
  const appender = await connection.createAppender(table, "main", "temp")
  const writer = duckdb.DuckDBDataChunkWriter.forAppender(appender, { converter: duckdb.JSToDuckDBValueConverter })
  const row = new Array(columns.length)
  for (const record of records) {
    for (let i = 0; i < columns.length; i++) row[i] = record[columns[i]] ?? null
    writer.appendRow(row)
  }
  writer.flush()
  appender.closeSync()
}

const appendColumnwise = async (connection, table, records) => {
  const appender = await connection.createAppender(table, "main", "temp")
  const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i))
  const values = columns.map((c) => records.map((r) => r[c] ?? null))
  for (let from = 0; from < records.length; from += 2048) {
    const count = Math.min(2048, records.length - from)
    const chunk = duckdb.DuckDBDataChunk.create(types, count)
    for (let c = 0; c < columns.length; c++) {
      const vector = chunk.getColumnVector(c)
      const type = types[c].toString()
      for (let r = 0; r < count; r++) {
        const v = values[c][from + r]
        vector.setItem(r, v === null ? null : type === "BIGINT" ? BigInt(v) : type === "VARCHAR[]" ? duckdb.listValue(v) : v)
      }
      vector.flush()
    }
    appender.appendDataChunk(chunk)
  }
  appender.closeSync()
}

/** The sink's flush by hand, each step timed over all epochs: where does a flush spend its time? */
const measureSteps = async (location, pk) => {
  const instance = await duckdb.DuckDBInstance.create(location)
  const c = await instance.connect()
  const tag = `${location === ":memory:" ? "mem" : "file"}${pk ? " PK" : " noPK"}`
  await c.run(`CREATE TABLE t (${columnDefs}${pk ? ", PRIMARY KEY (id)" : ""})`)
  const epochs = []
  for (let i = 0; i < batches.length; i += EPOCH / BATCH) epochs.push(batches.slice(i, i + EPOCH / BATCH))
  const steps = {
    "append row-wise (forAppender + converter)": (records) => appendRowwise(c, "s", records),
    "append column-wise (DataChunk vectors)": (records) => appendColumnwise(c, "s", records),
    "BEGIN + DELETE t USING staging": async () => { await c.run("BEGIN"); await c.run("DELETE FROM t USING s WHERE t.id = s.id") },
    "INSERT … QUALIFY row_number() = 1 (dedupe)": () => c.run(`INSERT INTO t SELECT * FROM s QUALIFY row_number() OVER (PARTITION BY id ORDER BY rowid DESC) = 1`),
    "COMMIT": () => c.run("COMMIT"),
    "recreate staging": () => c.run(`CREATE OR REPLACE TEMP TABLE s (${columnDefs})`)
  }
  for (const round of ["new keys", "existing keys"]) {
    const spent = Object.fromEntries(Object.keys(steps).map((k) => [k, 0]))
    for (const epoch of epochs) {
      await c.run(`CREATE OR REPLACE TEMP TABLE s (${columnDefs})`)
      for (const [name, step] of Object.entries(steps)) {
        // Both appends are measured; the row-wise rows are dropped so staging holds the epoch once.
        for (const records of name.startsWith("append") ? epoch : [null]) {
          const start = performance.now()
          await step(records)
          spent[name] += performance.now() - start
        }
        if (name.startsWith("append row-wise")) await c.run("DELETE FROM s")
      }
    }
    for (const [name, ms] of Object.entries(spent)) console.log(`${`${tag} ${round}: ${name}`.padEnd(70)} ${rate(N, ms)}`)
  }
  for (const [name, sql] of Object.entries({
    "INSERT OR REPLACE": "INSERT OR REPLACE INTO t SELECT * FROM s",
    "ON CONFLICT DO UPDATE": `INSERT INTO t SELECT * FROM s ON CONFLICT (id) DO UPDATE SET ${columns.filter((x) => x !== "id").map((x) => `${x} = excluded.${x}`).join(", ")}`
  })) {
    if (!pk) break
    let ms = 0
    for (const epoch of epochs) {
      await c.run(`CREATE OR REPLACE TEMP TABLE s (${columnDefs})`)
      for (const records of epoch) await appendColumnwise(c, "s", records)
      const start = performance.now()
      await c.run("BEGIN"); await c.run(sql); await c.run("COMMIT")
      ms += performance.now() - start
    }
    console.log(`${`${tag} existing keys: ${name} + COMMIT`.padEnd(70)} ${rate(N, ms)}`)
  }
  const count = (await c.runAndReadAll("SELECT count(*)::INT FROM t")).getRows()[0][0]
  if (count !== N) throw new Error(`expected ${N} rows, got ${count}`)
  c.closeSync()
  instance.closeSync()
}

try {
  if (only !== "steps") {
    for (const [i, build] of builds.entries()) {
      await measureSink(build, join(dir, `sink${i}.duckdb`), "")
      if (only !== "sink-file") await measureSink(build, ":memory:", `b${i}_`)
    }
  }
  if (only === undefined || only === "steps") {
    await measureSteps(join(dir, "steps-pk.duckdb"), true)
    await measureSteps(join(dir, "steps-nopk.duckdb"), false)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
