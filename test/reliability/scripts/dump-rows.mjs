// One stream's rows in a DuckDB file and a Parquet dataset, each row as JSON text, sorted by `key`,
// for comparing two harvests' outputs. argv[2]: {"duckdb", "table", "parquetDir", "key"}.
// Prints one JSON line {duckdb: [...], parquet: [...]}.
import { join } from "node:path"
import { dependencyOf } from "./dist.mjs"

const { duckdb, table, parquetDir, key } = JSON.parse(process.argv[2])
const { DuckDBInstance } = await dependencyOf("sinks", "@duckdb/node-api")
const db = await DuckDBInstance.create(":memory:")
const connection = await db.connect()
const quote = (path) => `'${path.replaceAll("'", "''")}'`
const rows = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson().map((row) => JSON.stringify(row))
await connection.run(`ATTACH ${quote(duckdb)} AS db (READ_ONLY)`)
const out = {
  duckdb: await rows(`SELECT * FROM db."${table}" ORDER BY "${key}"`),
  parquet: await rows(`SELECT * FROM read_parquet(${quote(join(parquetDir, "**", "*.parquet"))}) ORDER BY "${key}"`)
}
connection.closeSync()
process.stdout.write(JSON.stringify(out) + "\n")
