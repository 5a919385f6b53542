// A child process for the DuckDB memory test: loads DuckDB as the sink does (the built package),
// fills and drops a ~130 MB table, and prints the process's RSS before, at the peak and after, with
// the allocator settings it ran with.
import { readFileSync } from "node:fs"
import { loadDuckDB } from "../../dist/internal.js"

const rssMB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024)

const { DuckDBInstance } = await loadDuckDB()
const instance = await DuckDBInstance.create(":memory:")
const connection = await instance.connect()
await connection.run("SET threads = 1")
const before = rssMB()
await connection.run("CREATE TABLE t AS SELECT range::VARCHAR || repeat('x', 32) AS s FROM range(3000000)")
const filled = rssMB()
await connection.run("DROP TABLE t")
const after = rssMB()
connection.closeSync()
instance.closeSync()
process.stdout.write(JSON.stringify({ before, filled, after, conf: process.env.DUCKDB_JE_MALLOC_CONF ?? null }))
