// Which Node PostgreSQL client the postgres sink uses, by measurement. Not a test: prints rows/s.
//   pnpm exec tsc -b packages/sinks && node packages/sinks/scripts/measure-postgres-client.mjs [records]
// Starts a throwaway server (test/postgres), encodes the benchmark's synthetic videos once as COPY
// text rows (the sink's encoder), then for each client: COPY them into an empty table in batches
// of 10,000 (the sink's hot path), and 2,000 single-row parameterized queries (its small
// statements: checkpoints, and a coordinator's claims). Median of 3 runs each.
// `postgres` (porsager) is a devDependency only so this script can compare it.
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(join(here, "../package.json"))
const { startPostgres } = await import(join(here, "../../../test/postgres/postgres-server.mjs"))
const { videoBatches } = await import(join(here, "../../../bench/lib/synthetic.mjs"))
const { copyTextEncoder } = await import(join(here, "../dist/postgres/postgres-copy-text.js"))
const { createTableSql, copyColumns } = await import(join(here, "../dist/postgres/postgres-tables.js"))
const { columnsOf } = await import(join(here, "../dist/schema/columns.js"))

const N = Number(process.argv[2] ?? 200_000)
const BATCH = 10_000
const QUERIES = 2_000

const encoder = copyTextEncoder(columnsOf("video"), String)
const chunks = [...videoBatches(0, N, BATCH)].map((records) => (encoder.append(records), Buffer.concat(encoder.take())))
const bytes = chunks.reduce((s, c) => s + c.length, 0)

const server = await startPostgres()
const uri = server.uri()
const reset = (table) => [`DROP TABLE IF EXISTS ${table}`, createTableSql(table, "video", columnsOf("video"))]
const copySql = (table) => `COPY ${table} (${copyColumns(columnsOf("video"))}) FROM STDIN`

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const time = async (run) => {
  const t = performance.now()
  await run()
  return performance.now() - t
}

const clients = {
  "pg + pg-copy-streams": async () => {
    const pg = require("pg")
    const { from } = require("pg-copy-streams")
    const client = new pg.Client({ connectionString: uri })
    await client.connect()
    return {
      query: (text, params) => client.query(text, params),
      copy: (text, data) => new Promise((resolve, reject) => {
        const stream = client.query(from(text))
        stream.on("error", reject)
        stream.on("finish", resolve)
        stream.end(data)
      }),
      end: () => client.end()
    }
  },
  "postgres (porsager)": async () => {
    const postgres = require("postgres")
    const sql = postgres(uri, { max: 1, onnotice: () => {} })
    return {
      query: (text, params) => sql.unsafe(text, params),
      copy: async (text, data) => {
        const stream = await sql.unsafe(text).writable()
        await new Promise((resolve, reject) => {
          stream.on("error", reject)
          stream.on("finish", resolve)
          stream.end(data)
        })
      },
      end: () => sql.end()
    }
  }
}

try {
  console.log(`${N} videos as ${(bytes / 1e6).toFixed(1)} MB of COPY text, PostgreSQL ${server.psql("show server_version").trim()}`)
  for (const [name, open] of Object.entries(clients)) {
    const client = await open()
    const copyMs = []
    const queryMs = []
    for (let run = 0; run < 3; run++) {
      for (const statement of reset("measure")) await client.query(statement)
      copyMs.push(await time(async () => {
        for (const chunk of chunks) await client.copy(copySql("measure"), chunk)
      }))
      queryMs.push(await time(async () => {
        for (let i = 0; i < QUERIES; i++) await client.query("SELECT $1::bigint + 1 AS n", [i])
      }))
    }
    await client.end()
    console.log(`${name.padEnd(22)} COPY ${Math.round(N / (median(copyMs) / 1000))} rows/s   queries ${Math.round(QUERIES / (median(queryMs) / 1000))}/s`)
  }
} finally {
  server.destroy()
}
