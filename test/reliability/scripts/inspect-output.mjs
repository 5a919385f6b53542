// Reads a harvest's Parquet dataset and DuckDB file back with DuckDB (and an Arrow IPC dataset with
// apache-arrow) and prints one JSON line: per store, the ids; per Parquet or Arrow file, whether it
// reads; leftover files.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { dependencyOf } from "./dist.mjs"

const params = JSON.parse(process.argv[2])
const { DuckDBInstance } = await dependencyOf("sinks", "@duckdb/node-api")
const db = await DuckDBInstance.create(":memory:")
const connection = await db.connect()
const rows = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson()
const quote = (path) => `'${path.replaceAll("'", "''")}'`

const out = {}
if (params.parquetDir) {
  const files = readdirSync(params.parquetDir, { recursive: true }).map(String)
  const parquet = files.filter((f) => f.endsWith(".parquet"))
  const unreadable = []
  for (const file of parquet) {
    try {
      await rows(`SELECT count(*) AS n FROM read_parquet(${quote(join(params.parquetDir, file))})`)
    } catch (error) {
      unreadable.push(`${file}: ${error.message.split("\n")[0]}`)
    }
  }
  const ids = parquet.length === 0 ? [] : (await rows(`SELECT CAST(id AS VARCHAR) AS id FROM read_parquet(${quote(join(params.parquetDir, "**", "*.parquet"))})`)).map((r) => r.id)
  out.parquet = { files: parquet.length, otherFiles: files.filter((f) => !f.endsWith(".parquet") && /\.[a-z]+$/i.test(f)), unreadable, ids }
}
if (params.arrowDir) {
  const { tableFromIPC } = await dependencyOf("sinks", "apache-arrow")
  const files = readdirSync(params.arrowDir, { recursive: true }).map(String)
  const parts = files.filter((f) => /\.arrows?$/.test(f))
  const unreadable = []
  const ids = []
  for (const file of parts) {
    try {
      const column = tableFromIPC(readFileSync(join(params.arrowDir, file))).getChild("id")
      for (const id of column?.toArray() ?? []) ids.push(String(id))
    } catch (error) {
      unreadable.push(`${file}: ${error.message.split("\n")[0]}`)
    }
  }
  out.arrow = { files: parts.length, otherFiles: files.filter((f) => !/\.arrows?$/.test(f) && /\.[a-z]+$/i.test(f)), unreadable, ids }
}
if (params.duckdbFile) {
  await connection.run(`ATTACH ${quote(params.duckdbFile)} AS harvest (READ_ONLY)`)
  const ids = (await rows(`SELECT CAST(id AS VARCHAR) AS id FROM harvest.${params.table ?? "videos"}`)).map((r) => r.id)
  out.duckdb = { ids }
}
connection.closeSync()
process.stdout.write(JSON.stringify(out) + "\n")
