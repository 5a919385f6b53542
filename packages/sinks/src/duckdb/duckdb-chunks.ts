import type { DuckDBAppender, DuckDBListValue, DuckDBType, DuckDBValue, DuckDBVector } from "@duckdb/node-api"
import type { Column, ColumnType } from "../schema/columns.js"
import { columnValues } from "../schema/column-values.js"
import { assertColumnsHoldFields, jsonText } from "../schema/columns.js"

/** DuckDB's standard vector size: the most rows one data chunk holds (the chunk refuses more). */
const ROWS_PER_CHUNK = 2048

type DuckDBApi = Pick<typeof import("@duckdb/node-api"), "DuckDBDataChunk" | "listValue">

/** Appends one column of a page, as DuckDB values, to `out`; throws on a value the type cannot hold. */
type ConvertColumn = (values: ReadonlyArray<unknown>, out: Array<DuckDBValue>) => void
/** Writes `count` converted values from `from` into a chunk's vector. */
type SetColumn = (vector: DuckDBVector, values: ReadonlyArray<DuckDBValue>, from: number, count: number) => void

// One loop per type (not one generic loop with a converter): each call site then sees a single
// value shape and vector class, and stays monomorphic.
const converterOf = (type: ColumnType, listValue: (items: ReadonlyArray<DuckDBValue>) => DuckDBListValue): ConvertColumn => {
  switch (type) {
    case "json":
      return (values, out) => {
        for (let i = 0; i < values.length; i++) out.push(jsonText(values[i]))
      }
    case "utf8":
    case "bool":
    case "float64":
      return (values, out) => {
        for (let i = 0; i < values.length; i++) out.push(values[i] as DuckDBValue)
      }
    case "int64":
      return (values, out) => {
        for (let i = 0; i < values.length; i++) {
          const value = values[i]
          out.push(value === null ? null : typeof value === "bigint" ? value : BigInt(value as number))
        }
      }
    case "list_utf8":
      return (values, out) => {
        for (let i = 0; i < values.length; i++) {
          const value = values[i]
          out.push(value === null ? null : listValue(value as ReadonlyArray<string>))
        }
      }
  }
}

const setterOf = (type: ColumnType): SetColumn => {
  switch (type) {
    case "json":
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
        for (let row = 0; row < count; row++) vector.setItem(row, values[from + row] as bigint | null)
        vector.flush()
      }
    case "list_utf8":
      return (vector, values, from, count) => {
        for (let row = 0; row < count; row++) vector.setItem(row, values[from + row] as DuckDBListValue | null)
        vector.flush()
      }
  }
}

/**
 * One epoch's rows on their way into a staging table. Each page's values are read column by
 * column (a compiled reader per field) and converted at once, so a value a column cannot hold
 * fails that page's `add` with none of its rows kept. Converted rows wait until a whole data
 * chunk (2,048 rows) is there, and every chunk goes to ONE appender that lives until the epoch is
 * finished. An appender per page cost a native flush and commit per page (`closeSync` was 30% of
 * a DuckDB run); row-wise appending converted every value through a generic converter (≈20%
 * slower).
 */
export interface EpochAppender {
  /** Takes a page's records; whole chunks go to the appender now, the rest waits for more. */
  add(records: ReadonlyArray<unknown>): Promise<void>
  /** Appends what waits and closes the appender: every added row is then in the staging table. */
  finish(): void
  /** Forgets what waits and closes the appender without appending it (the staging table is emptied next). */
  discard(): void
  /** Rows added since the last `finish` (or `discard`). */
  readonly rows: number
}

/**
 * `columns` must be the staging table's columns, in order; `open` creates an appender on it. If
 * DuckDB refuses a chunk, the epoch is broken: `finish` throws, so it is never merged in part.
 */
export const epochAppender = (
  columns: ReadonlyArray<Column>,
  api: DuckDBApi,
  open: () => Promise<DuckDBAppender>
): EpochAppender => {
  const readers = columns.map((column) => columnValues(column.name))
  const converters = columns.map((column) => converterOf(column.type, api.listValue))
  const setters = columns.map((column) => setterOf(column.type))
  let appender: DuckDBAppender | undefined
  let types: Array<DuckDBType> = []
  /** Converted values waiting for a whole chunk, one array per column. */
  let waiting: Array<Array<DuckDBValue>> = columns.map(() => [])
  let rows = 0
  let broken: unknown

  const opened = async (): Promise<DuckDBAppender> => {
    if (appender !== undefined) return appender
    const created = await open()
    if (created.columnCount !== columns.length) {
      created.closeSync()
      throw new Error(`duckdb table: expected ${columns.length} columns, the table has ${created.columnCount}`)
    }
    types = Array.from({ length: created.columnCount }, (_, i) => created.columnType(i))
    return (appender = created)
  }
  const convert = (records: ReadonlyArray<unknown>) => {
    const before = waiting[0]!.length
    try {
      for (let c = 0; c < columns.length; c++) converters[c]!(readers[c]!(records), waiting[c]!)
    } catch (error) {
      for (const column of waiting) column.length = before
      throw error
    }
  }
  const appendChunk = (target: DuckDBAppender, from: number, count: number) => {
    const chunk = api.DuckDBDataChunk.create(types, count)
    for (let c = 0; c < setters.length; c++) setters[c]!(chunk.getColumnVector(c), waiting[c]!, from, count)
    target.appendDataChunk(chunk)
  }
  /** Appends every whole chunk that waits (and, with `all`, the partial rest). */
  const drain = (target: DuckDBAppender, all: boolean) => {
    const length = waiting[0]!.length
    let from = 0
    try {
      for (; length - from >= ROWS_PER_CHUNK; from += ROWS_PER_CHUNK) appendChunk(target, from, ROWS_PER_CHUNK)
      if (all && from < length) appendChunk(target, from, length - from)
    } catch (error) {
      broken ??= error
      throw error
    }
    if (from > 0) waiting = waiting.map((column) => column.slice(from))
  }
  const reset = () => {
    appender = undefined
    waiting = columns.map(() => [])
    rows = 0
    broken = undefined
  }

  return {
    get rows() {
      return rows
    },
    async add(records) {
      if (records.length === 0) return
      assertColumnsHoldFields(columns, records)
      const target = await opened()
      if (broken !== undefined) throw new Error(`an earlier write of this epoch failed (${String(broken)})`)
      convert(records)
      rows += records.length
      if (waiting[0]!.length >= ROWS_PER_CHUNK) drain(target, false)
    },
    finish() {
      const target = appender
      try {
        if (target === undefined) return
        if (broken !== undefined) throw new Error(`an earlier write of this epoch failed, so none of it is merged (${String(broken)})`)
        drain(target, true)
      } catch (error) {
        target?.clear()
        throw error
      } finally {
        reset()
        target?.closeSync()
      }
    },
    discard() {
      const target = appender
      reset()
      target?.clear()
      target?.closeSync()
    }
  }
}
