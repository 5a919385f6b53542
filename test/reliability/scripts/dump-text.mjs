// Everything a harvest left on disk as text, for grepping: every Parquet file's rows and every
// DuckDB table's rows (read with DuckDB, since their bytes are compressed), and every other file
// raw. argv[2]: {"root": dir}. Prints one JSON line {files, text}.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { dependencyOf } from "./dist.mjs"

const { root } = JSON.parse(process.argv[2])
const { DuckDBInstance } = await dependencyOf("sinks", "@duckdb/node-api")
const db = await DuckDBInstance.create(":memory:")
const connection = await db.connect()
const rows = async (sql) => JSON.stringify((await connection.runAndReadAll(sql)).getRowObjectsJson())
const quote = (path) => `'${path.replaceAll("'", "''")}'`

const parts = []
const files = readdirSync(root, { recursive: true }).map(String).filter((f) => statSync(join(root, f)).isFile())
let n = 0
for (const file of files) {
  const path = join(root, file)
  // Raw bytes always (latin1 keeps every byte), decoded rows as well where the format compresses.
  parts.push(readFileSync(path).toString("latin1"))
  if (file.endsWith(".parquet")) parts.push(await rows(`SELECT * FROM read_parquet(${quote(path)})`))
  if (file.endsWith(".duckdb")) {
    const alias = `db${n++}`
    await connection.run(`ATTACH ${quote(path)} AS ${alias} (READ_ONLY)`)
    const tables = JSON.parse(await rows(`SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '${alias}'`))
    for (const t of tables) parts.push(await rows(`SELECT * FROM ${alias}."${t.schema_name}"."${t.table_name}"`))
  }
}
connection.closeSync()
process.stdout.write(JSON.stringify({ files, text: parts.join("\n") }) + "\n")
