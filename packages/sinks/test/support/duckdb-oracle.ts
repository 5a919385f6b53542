import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api"
import { loadDuckDB } from "../../src/duckdb/duckdb-library.js"
import type { Column } from "../../src/schema/columns.js"
import { jsonText } from "../../src/schema/columns.js"

// The oracle for the DuckDB sink's bulk vectors: node-api's own value-by-value path
// (DuckDBDataChunkWriter, as the sink appended before), on a table of one column per type.

/** One column of each type the sink writes. */
export const oracleColumns: ReadonlyArray<Column> = [
  { name: "s", type: "utf8", nullable: true },
  { name: "i", type: "int64", nullable: true },
  { name: "f", type: "float64", nullable: true },
  { name: "b", type: "bool", nullable: true },
  { name: "l", type: "list_utf8", nullable: true },
  { name: "j", type: "json", nullable: true }
]

/** A table `table` of {@link oracleColumns}. */
export const oracleDdl = (table: string) => `CREATE TABLE ${table} (s VARCHAR, i BIGINT, f DOUBLE, b BOOLEAN, l VARCHAR[], j VARCHAR)`

/** A record of {@link oracleColumns}: a test may give any value (what a column must refuse too). */
export type OracleRow = { s?: unknown; i?: unknown; f?: unknown; b?: unknown; l?: unknown; j?: unknown }

/** How a refusal names an oracle row (a sink names kind and key). */
export const describeRow = (row: unknown) => `row ${String((row as OracleRow).s)}`

/** Appends `rows` to `table` value by value, through node-api's writer (valid rows only). */
export const appendValueByValue = async (connection: DuckDBConnection, table: string, rows: ReadonlyArray<OracleRow>) => {
  const { DuckDBDataChunkWriter, listValue } = await loadDuckDB()
  const appender = await connection.createAppender(table)
  const writer = DuckDBDataChunkWriter.forAppender(appender)
  for (const row of rows) {
    const values = [
      row.s ?? null,
      row.i === undefined || row.i === null ? null : BigInt(row.i as number | bigint | string),
      row.f ?? null,
      row.b ?? null,
      row.l === undefined || row.l === null ? null : listValue(row.l as Array<string | null>),
      jsonText(row.j) ?? null
    ]
    writer.appendRow(values as Array<DuckDBValue>)
  }
  writer.flush()
  appender.closeSync()
}

/** `table`'s rows in the order appended. */
export const readBack = async (connection: DuckDBConnection, table: string) =>
  (await connection.runAndReadAll(`SELECT * FROM ${table} ORDER BY rowid`)).getRowsJS()
