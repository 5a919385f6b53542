import type { DuckDBAppender, DuckDBListValue, DuckDBValue, DuckDBVector } from "@duckdb/node-api"
import type { Column, ColumnType } from "../schema/columns.js"
import { columnValues } from "../schema/column-values.js"
import { assertColumnsHoldFields, jsonText } from "../schema/columns.js"

/** DuckDB's standard vector size: the most rows one data chunk holds (the chunk refuses more). */
const ROWS_PER_CHUNK = 2048

type FillColumn = (vector: DuckDBVector, values: ReadonlyArray<unknown>, from: number, count: number) => void

// One loop per type (not one generic loop with a converter): each `setItem` call site then sees
// a single vector class and stays monomorphic.
const fillerOf = (type: ColumnType, listValue: (items: ReadonlyArray<DuckDBValue>) => DuckDBListValue): FillColumn => {
  switch (type) {
    case "json":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) vector.setItem(row, jsonText(values[from + row]))
        vector.flush()
      }
    case "utf8":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) vector.setItem(row, values[from + row] as string | null)
        vector.flush()
      }
    case "bool":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) vector.setItem(row, values[from + row] as boolean | null)
        vector.flush()
      }
    case "float64":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) vector.setItem(row, values[from + row] as number | null)
        vector.flush()
      }
    case "int64":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) {
          const value = values[from + row]
          vector.setItem(row, value === null ? null : typeof value === "bigint" ? value : BigInt(value as number))
        }
        vector.flush()
      }
    case "list_utf8":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) {
          const value = values[from + row]
          vector.setItem(row, value === null ? null : listValue(value as ReadonlyArray<string>))
        }
        vector.flush()
      }
  }
}

/**
 * Appends records column by column: each field is read once per batch by a compiled reader and
 * written straight into its vector, one data chunk per 2,048 rows. Row-wise appending converted
 * every value through a generic converter and copied every row (≈20% slower, mostly GC).
 * `columns` must be the appender's table columns, in order.
 */
export const columnwiseAppend = (
  columns: ReadonlyArray<Column>,
  api: { readonly DuckDBDataChunk: typeof import("@duckdb/node-api").DuckDBDataChunk; readonly listValue: typeof import("@duckdb/node-api").listValue }
) => {
  const readers = columns.map((column) => columnValues(column.name))
  const fillers = columns.map((column) => fillerOf(column.type, api.listValue))
  return (appender: DuckDBAppender, records: ReadonlyArray<unknown>): void => {
    assertColumnsHoldFields(columns, records)
    if (appender.columnCount !== columns.length) {
      throw new Error(`duckdb table: expected ${columns.length} columns, the table has ${appender.columnCount}`)
    }
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i))
    const values = readers.map((read) => read(records))
    // Every chunk is filled before the first is appended: a value that fails to convert leaves
    // no part of the batch staged.
    const chunks = []
    for (let from = 0; from < records.length; from += ROWS_PER_CHUNK) {
      const count = Math.min(ROWS_PER_CHUNK, records.length - from)
      const chunk = api.DuckDBDataChunk.create(types, count)
      for (let c = 0; c < fillers.length; c++) fillers[c]!(chunk.getColumnVector(c), values[c]!, from, count)
      chunks.push(chunk)
    }
    for (const chunk of chunks) appender.appendDataChunk(chunk)
  }
}
