// Replay: rebuilding sinks from the raw archive (what `tikflow replay` runs: archived responses →
// the same decoders → persistent dedupe → one sink, as a fresh harvest), against DuckDB reading the
// same archive itself (read_json over the gzip NDJSON, every video unnested into a typed table).
// Modes: `prepare` harvests the sandbox once into an archive (params.archiveDir); `duckdb-reads`,
// `parquet` and `duckdb` time one rebuild each.
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { dependencyOf, load } from "../lib/dist.mjs"
import { benchClient, videoSource } from "../lib/harvest.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const core = await load("core")
const { Effect } = await dependencyOf("core", "effect")

const discard = { name: "discard", open: async () => ({ write: async () => {}, flush: async () => {}, close: async () => {} }) }

const prepare = async () => {
  const sources = await load("sources")
  const client = benchClient(params)
  try {
    const summary = await Effect.runPromise(
      core.Pipeline.make(videoSource(params)).to(discard).run({ archive: params.archiveDir })
        .pipe(Effect.provideService(sources.TikTokClient, client.service))
    )
    return { records: summary.recordsOut, files: readdirSync(params.archiveDir).filter((name) => name.endsWith(".ndjson.gz")) }
  } finally {
    await client.close()
  }
}

// Every video field as DuckDB reads it from a body's JSON: text, integers, floats, booleans, lists.
const int64 = new Set(["create_time", "like_count", "comment_count", "share_count", "view_count", "favorites_count"])
const lists = new Set(["hashtag_names", "effect_ids", "video_mention_list"])
const columnSql = (field) =>
  int64.has(field) ? `(v->>'${field}')::BIGINT AS ${field}`
    : field === "video_duration" ? `(v->>'${field}')::DOUBLE AS ${field}`
    : field === "is_stem_verified" ? `(v->>'${field}')::BOOLEAN AS ${field}`
    : lists.has(field) ? `(v->'${field}')::VARCHAR[] AS ${field}`
    : `v->>'${field}' AS ${field}`

const duckdbReads = async () => {
  const { DuckDBInstance } = await dependencyOf("sinks", "@duckdb/node-api")
  const dir = mkdtempSync(join(tmpdir(), "tikflow-bench-replay-"))
  const instance = await DuckDBInstance.create(join(dir, "direct.duckdb"))
  const connection = await instance.connect()
  try {
    const files = `'${join(params.archiveDir, "*.ndjson.gz")}'`
    await connection.run(
      `CREATE TABLE videos AS SELECT ${core.videoFields.map(columnSql).join(", ")} FROM (` +
        `SELECT unnest(json_extract(body, '$.data.videos[*]')) AS v FROM read_json(${files}, format = 'newline_delimited', columns = {body: 'VARCHAR'}))`
    )
    const rows = (await connection.runAndReadAll("SELECT count(*)::INTEGER AS n FROM videos")).getRowObjects()
    return { records: rows[0].n }
  } finally {
    connection.closeSync()
    instance.closeSync()
    rmSync(dir, { recursive: true, force: true })
  }
}

// Loaded before the clock starts, as the CLI has them loaded before it replays.
const replayDeps = params.mode === "parquet" || params.mode === "duckdb"
  ? { sources: await load("sources"), sinks: await load("sinks") }
  : undefined

const replay = async (sink) => {
  const { sources, sinks } = replayDeps
  const dir = mkdtempSync(join(tmpdir(), `tikflow-bench-replay-${sink}-`))
  try {
    const uri = sink === "parquet" ? `parquet:${join(dir, "parquet")}` : `duckdb:${join(dir, "replay.duckdb")}`
    let records = 0
    for (const file of await core.Archive.archiveFilesIn(params.archiveDir)) {
      const harvest = await sources.inspectArchive(file)
      // One pass: the archive is a single harvest run.
      for await (const responses of sources.archivedPasses(harvest)) {
        const summary = await core.Pipeline.runPromise(
          core.Pipeline.make(sources.archiveSource(harvest, responses))
            .through(core.Transform.dedupe({ store: core.Transform.persistentKeys(join(dir, "dedupe")) }))
            .to(sinks.resolveSink(uri)),
          { fresh: true }
        )
        records += summary.recordsOut
      }
    }
    return { records }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const modes = { prepare, "duckdb-reads": duckdbReads, parquet: () => replay("parquet"), duckdb: () => replay("duckdb") }
emit(await measure(modes[params.mode]))
