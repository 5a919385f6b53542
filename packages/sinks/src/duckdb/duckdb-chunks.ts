import type { DuckDBAppender, DuckDBDataChunk } from "@duckdb/node-api"
import type { ChangedValues } from "@tikflow/core/internal"
import type { Column } from "../schema/columns.js"
import type { VectorBindings } from "./duckdb-library.js"
import type { ColumnRows } from "./duckdb-vectors.js"
import { pageValues } from "../schema/column-values.js"
import { assertColumnsHoldFields } from "../schema/columns.js"
import { columnRows } from "./duckdb-vectors.js"
import { RefusedValue, refusalIn } from "../schema/refused-value.js"

/** DuckDB's standard vector size: the most rows one data chunk holds (the chunk refuses more). */
const ROWS_PER_CHUNK = 2048

/** What the epoch appender takes of DuckDB: node-api's data chunk, and its binding to fill the chunk's vectors. */
export interface ChunkLibrary {
  readonly DuckDBDataChunk: typeof DuckDBDataChunk
  readonly vectors: VectorBindings
}

/**
 * One epoch's rows on their way into a staging table. Each page's values are read column by
 * column (a compiled reader per field) and converted at once into the column's typed rows
 * (`duckdb-vectors.ts`), so a value a column cannot hold fails that page's `add`, naming the
 * column, with none of its rows kept. Converted rows wait until a whole data chunk (2,048 rows) is
 * there; every chunk is written into ONE data chunk, reset and refilled, and goes to ONE appender
 * that lives until the epoch is finished. An appender per page cost a native flush and commit per page (`closeSync` was 30% of
 * a DuckDB run); row-wise appending converted every value through a generic converter (≈20%
 * slower).
 */
export interface EpochAppender {
  /**
   * Takes a page's records; whole chunks go to the appender now, the rest waits for more. Resolves
   * to the values it stored changed (a lone surrogate as U+FFFD), undefined when none.
   */
  add(records: ReadonlyArray<unknown>): Promise<ReadonlyArray<ChangedValues> | undefined>
  /** Appends what waits and closes the appender: every added row is then in the staging table. */
  finish(): void
  /** Forgets what waits and closes the appender without appending it (the staging table is emptied next). */
  discard(): void
  /** Rows added since the last `finish` (or `discard`). */
  readonly rows: number
}

/**
 * `columns` must be the staging table's columns, in order; `open` creates an appender on it;
 * `nameOf` names a record in a refusal (refused-value.ts). If DuckDB refuses a chunk, the epoch is broken: `finish` throws, so it is never merged in part.
 */
export const epochAppender = (
  columns: ReadonlyArray<Column>,
  library: ChunkLibrary,
  open: () => Promise<DuckDBAppender>,
  nameOf: (record: unknown) => string
): EpochAppender => {
  const page = pageValues(columns.map((column) => column.name))
  const buffers: ReadonlyArray<ColumnRows> = columns.map((column) => columnRows(column.type, library.vectors))
  let appender: DuckDBAppender | undefined
  /** The data chunk every chunk is written into (the appender copies it), epoch after epoch. */
  let chunk: DuckDBDataChunk | undefined
  /** Converted rows waiting for a whole chunk, at the front of every column's buffer. */
  let waiting = 0
  let rows = 0
  let broken: unknown

  const opened = async (): Promise<DuckDBAppender> => {
    if (appender !== undefined) return appender
    const created = await open()
    if (created.columnCount !== columns.length) {
      created.closeSync()
      throw new Error(`duckdb table: expected ${columns.length} columns, the table has ${created.columnCount}`)
    }
    // One chunk for the appender's life, not one per epoch: node-api frees a chunk only when a full
    // collection finalizes its wrapper, so each epoch's waited there, native memory and all.
    chunk ??= library.DuckDBDataChunk.create(Array.from({ length: created.columnCount }, (_, i) => created.columnType(i)))
    return (appender = created)
  }
  const convert = (records: ReadonlyArray<unknown>): Array<ChangedValues> | undefined => {
    const values = page.read(records)
    let changes: Array<ChangedValues> | undefined
    let c = 0
    try {
      for (; c < columns.length; c++) {
        const changed = buffers[c]!.put(values[c]!, waiting)
        if (changed > 0) (changes ??= []).push({ column: columns[c]!.name, reason: "lone-surrogate", count: changed })
      }
    } catch (error) {
      // Rows past `waiting` are not counted yet: nothing of the page is kept.
      if (error instanceof RefusedValue) throw refusalIn(columns[c]!.name, error, nameOf(records[error.row]))
      throw new Error(`${columns[c]!.name}: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      page.clear()
    }
    waiting += records.length
    return changes
  }
  const appendChunk = (target: DuckDBAppender, from: number, count: number) => {
    const { vectors } = library
    const raw = chunk!.chunk
    vectors.data_chunk_reset(raw)
    vectors.data_chunk_set_size(raw, count)
    for (let c = 0; c < buffers.length; c++) buffers[c]!.write(vectors.data_chunk_get_vector(raw, c), from, count)
    target.appendDataChunk(chunk!)
  }
  /** Appends every whole chunk that waits (and, with `all`, the partial rest). */
  const drain = (target: DuckDBAppender, all: boolean) => {
    let from = 0
    try {
      for (; waiting - from >= ROWS_PER_CHUNK; from += ROWS_PER_CHUNK) appendChunk(target, from, ROWS_PER_CHUNK)
      if (all && from < waiting) appendChunk(target, from, waiting - from)
    } catch (error) {
      broken ??= error
      throw error
    }
    if (from > 0 && from < waiting) for (const buffer of buffers) buffer.shift(from, waiting - from)
    waiting = all ? 0 : waiting - from
  }
  const reset = () => {
    appender = undefined
    waiting = 0
    rows = 0
    broken = undefined
  }

  return {
    get rows() {
      return rows
    },
    async add(records) {
      if (records.length === 0) return undefined
      assertColumnsHoldFields(columns, records)
      const target = await opened()
      if (broken !== undefined) throw new Error(`an earlier write of this epoch failed (${String(broken)})`)
      const changes = convert(records)
      rows += records.length
      if (waiting >= ROWS_PER_CHUNK) drain(target, false)
      return changes
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
