import type { AnyRecord, ChangedValues, RecordKind } from "@tikflow/core/internal"
import { changeTally } from "@tikflow/core/internal"
import type { Column } from "./columns.js"
import { assertColumnsHoldFields, columnsOf, jsonText } from "./columns.js"
import type { ColumnBuilder, ColumnData } from "./column-data.js"
import { BoolBuilder, copyColumnData, Float64Builder, Int64Builder, ListUtf8Builder, Utf8Builder } from "./column-data.js"
import { assertColumnValues, recordNameOf, RefusedValue, refusalIn } from "./refused-value.js"
import { pageValues } from "./column-values.js"

/** Rows of one record kind as Arrow column buffers, one per column of `columnsOf(kind, …)`. */
export interface ColumnBatch {
  readonly kind: RecordKind
  readonly columns: ReadonlyArray<Column>
  readonly length: number
  readonly data: ReadonlyArray<ColumnData>
}

/**
 * The kind and columns a part's batches share (a part writer's batches are of one kind and columns):
 * its first batch's. A part holds at least one batch; an empty one is a caller's bug.
 */
export const partShapeOf = (batches: ReadonlyArray<ColumnBatch>): Pick<ColumnBatch, "kind" | "columns"> => {
  const [first] = batches
  if (first === undefined) throw new Error("a part needs at least one batch")
  return first
}

/**
 * Fails when `batch` is not of the part's `shape` (its kind and columns: names, types and
 * nullability, in order): a part file is one schema. A part writer's batches share one `columnsOf`
 * array, so this is a pointer compare but for a caller's bug.
 */
export const assertPartShape = (shape: Pick<ColumnBatch, "kind" | "columns">, batch: ColumnBatch): void => {
  if (batch.columns === shape.columns && batch.kind === shape.kind) return
  if (batch.kind !== shape.kind) throw new Error(`a part's batch holds ${batch.kind} records, the part ${shape.kind} records: a part is one schema`)
  const length = Math.max(batch.columns.length, shape.columns.length)
  for (let i = 0; i < length; i++) {
    const column = columnText(batch.columns[i])
    const expected = columnText(shape.columns[i])
    if (column !== expected) throw new Error(`a part's batch has other columns than the part: column ${i + 1} is ${column}, the part's ${expected}: a part is one schema`)
  }
}

const columnText = (column: Column | undefined): string =>
  column === undefined ? "none" : `${column.name} ${column.type}${column.nullable ? "" : " not null"}`

/** Records appended page by page, handed over as one {@link ColumnBatch}; the records are not kept. */
export interface ColumnBatchBuilder {
  /** The rows appended since the last `finish`. */
  readonly rows: number
  /**
   * Fails, appending nothing, on a field no column holds or a count an int64 cannot hold. Returns
   * the values it stored changed (a lone surrogate as U+FFFD), undefined when none.
   */
  append(records: ReadonlyArray<AnyRecord>): ReadonlyArray<ChangedValues> | undefined
  /**
   * The rows appended since the last `take` or `finish`, as views of the builder's buffers: valid
   * until the next `append` (a consumer copies what it keeps, e.g. into its hand-over buffer).
   */
  take(): ColumnBatch
  /** The same rows in buffers of their own, at their exact size: a batch that is kept. */
  finish(): ColumnBatch
}

const builderOf = (column: Column): ColumnBuilder => {
  switch (column.type) {
    case "json":
    case "utf8": return new Utf8Builder() as ColumnBuilder
    case "int64": return new Int64Builder() as ColumnBuilder
    case "float64": return new Float64Builder() as ColumnBuilder
    case "bool": return new BoolBuilder() as ColumnBuilder
    case "list_utf8": return new ListUtf8Builder() as ColumnBuilder
  }
}

/** Refuses a page whose column holds a value it cannot store exactly, naming the column and the record. */
export const assertColumn = (nameOf: (record: unknown) => string, column: Column, records: ReadonlyArray<AnyRecord>, check: () => void) => {
  try {
    check()
  } catch (error) {
    if (!(error instanceof RefusedValue)) throw error
    throw refusalIn(column.name, error, nameOf(records[error.row]))
  }
}

/**
 * A builder of {@link ColumnBatch}es for records of one kind, in `columnsOf`'s columns.
 * A missing field counts as null; a field no column holds is an error (see `assertColumnsHoldFields`).
 */
export const columnBatchBuilder = (kind: RecordKind, addedFields: ReadonlyArray<string> = [], provenance = false): ColumnBatchBuilder => {
  const columns = columnsOf(kind, addedFields, provenance)
  const builders = columns.map(builderOf)
  const page = pageValues(columns.map((column) => column.name))
  const nameOf = recordNameOf(kind)
  /** A page's values, column by column, checked (each column's type) and converted (json to its text). */
  const read = (records: ReadonlyArray<AnyRecord>) => {
    const values = page.read(records)
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]
      const value = values[i]
      if (column.type === "json") assertColumn(nameOf, column, records, () => { for (let r = 0; r < value.length; r++) value[r] = jsonText(value[r], r) })
      else assertColumn(nameOf, column, records, () => assertColumnValues(column.type, value))
    }
    return values
  }
  let rows = 0
  return {
    get rows() {
      return rows
    },
    append(records) {
      if (records.length === 0) return undefined
      assertColumnsHoldFields(columns, records)
      // What this page's values stored changed, counted as each column takes them.
      const changes = changeTally()
      try {
        // Every column's values are read and checked before any column takes a row.
        const values = read(records)
        for (let i = 0; i < builders.length; i++) {
          changes.count(columns[i].name, "lone-surrogate", builders[i].append(values[i]))
        }
      } finally {
        page.clear()
      }
      rows += records.length
      return changes.take()
    },
    take() {
      const batch = { kind, columns, length: rows, data: builders.map((builder) => builder.take()) }
      rows = 0
      return batch
    },
    finish() {
      const batch = this.take()
      return { ...batch, data: batch.data.map(copyColumnData) }
    }
  }
}
