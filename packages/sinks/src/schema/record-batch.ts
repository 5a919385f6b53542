import type { AnyRecord, RecordKind } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import { makeData, RecordBatch, Struct } from "apache-arrow"
import type { Data, List, Utf8 } from "apache-arrow"
import { arrowSchemaFor } from "./arrow-schema.js"
import { assertColumnsHoldFields, columnsOf, jsonText } from "./columns.js"
import { boolData, float64Data, int64Data, listUtf8Data, utf8Data } from "./column-data.js"
import { NotAnInt64 } from "./not-an-int64.js"
import { columnValues } from "./column-values.js"

const int64Column = (kind: RecordKind, field: string, records: ReadonlyArray<AnyRecord>, values: Array<number | null>) => {
  try {
    return int64Data(values)
  } catch (error) {
    if (!(error instanceof NotAnInt64)) throw error
    const key = recordKinds[kind].keyOf(records[error.row] as never)
    throw new RangeError(`${field}: ${error.message} (${kind} ${key})`)
  }
}

/**
 * Converts records of one kind into an Arrow `RecordBatch` with {@link arrowSchemaFor}'s schema.
 * A missing field counts as null; a field no column holds is an error (see `assertColumnsHoldFields`).
 */
export const toRecordBatch = (
  kind: RecordKind,
  records: ReadonlyArray<AnyRecord>,
  addedFields: ReadonlyArray<string> = [],
  provenance = false
): RecordBatch => {
  const schema = arrowSchemaFor(kind, addedFields, provenance)
  const columns = columnsOf(kind, addedFields, provenance)
  assertColumnsHoldFields(columns, records)
  const children: Array<Data> = columns.map((column, index) => {
    const values = columnValues(column.name)(records)
    switch (column.type) {
      case "json": return utf8Data(values.map(jsonText))
      case "utf8": return utf8Data(values as Array<string | null>)
      case "int64": return int64Column(kind, column.name, records, values as Array<number | null>)
      case "float64": return float64Data(values as Array<number | null>)
      case "bool": return boolData(values as Array<boolean | null>)
      case "list_utf8": return listUtf8Data(values as Array<ReadonlyArray<string> | null>, schema.fields[index].type as List<Utf8>)
    }
  })
  const data = makeData({ type: new Struct(schema.fields), length: records.length, nullCount: 0, children })
  return new RecordBatch(schema, data)
}
