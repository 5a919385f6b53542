import type { AnyRecord, ChangedValues, RecordKind } from "@tikflow/core/internal"
import type { Data, DataType, List, RecordBatch, Utf8 } from "apache-arrow"
import { apacheArrow } from "./arrow-library.js"
import { arrowSchemaOf } from "./arrow-schema.js"
import type { ColumnBatch } from "./column-batch.js"
import { columnBatchBuilder } from "./column-batch.js"
import type { ColumnData } from "./column-data.js"

// The apache-arrow form of a ColumnBatch, for the sinks that hand out or write Arrow objects (the
// Arrow IPC sink, `batchFormat: "arrow"` plugins). The buffers are shared, not copied.

const dataOf = (type: DataType, column: ColumnData): Data => {
  const { Bool, Float64, Int64, List, makeData, Utf8 } = apacheArrow()
  const { length, nullCount, nullBitmap } = column
  if (type instanceof List) {
    const list: List<Utf8> = type
    const child = dataOf(list.children[0].type, column.child!) as Data<Utf8>
    return makeData({ type: list, length, nullCount, nullBitmap, valueOffsets: column.valueOffsets!, child })
  }
  if (type instanceof Utf8) return makeData({ type, length, nullCount, nullBitmap, valueOffsets: column.valueOffsets!, data: column.values as Uint8Array })
  if (type instanceof Int64) return makeData({ type, length, nullCount, nullBitmap, data: column.values as BigInt64Array })
  if (type instanceof Float64) return makeData({ type, length, nullCount, nullBitmap, data: column.values as Float64Array })
  if (type instanceof Bool) return makeData({ type, length, nullCount, nullBitmap, data: column.values as Uint8Array })
  throw new Error(`no Arrow column data for ${String(type)}`)
}

/** A {@link ColumnBatch} as an Arrow `RecordBatch` with `arrowSchemaFor`'s schema. */
export const toArrowRecordBatch = (batch: ColumnBatch): RecordBatch => {
  const { makeData, RecordBatch, Struct } = apacheArrow()
  const schema = arrowSchemaOf(batch.kind, batch.columns)
  const children = batch.data.map((column, i) => dataOf(schema.fields[i].type, column))
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.length, nullCount: 0, children }))
}

/**
 * Converts records of one kind into one Arrow `RecordBatch` with `arrowSchemaFor`'s schema (a
 * {@link columnBatchBuilder}'s batch of them), with the values it stored changed (a lone surrogate
 * is U+FFFD in Arrow's UTF-8). Fails on a field no column holds or a count an int64 cannot hold.
 */
export const recordBatchOf = (
  kind: RecordKind,
  records: ReadonlyArray<AnyRecord>,
  addedFields: ReadonlyArray<string> = [],
  provenance = false
): { readonly batch: RecordBatch; readonly changes: ReadonlyArray<ChangedValues> | undefined } => {
  const builder = columnBatchBuilder(kind, addedFields, provenance)
  const changes = builder.append(records)
  return { batch: toArrowRecordBatch(builder.finish()), changes }
}

/** {@link recordBatchOf}'s batch alone. */
export const toRecordBatch = (
  kind: RecordKind,
  records: ReadonlyArray<AnyRecord>,
  addedFields: ReadonlyArray<string> = [],
  provenance = false
): RecordBatch => recordBatchOf(kind, records, addedFields, provenance).batch
