import type { AnyRecord, ChangedValues, RecordKind } from "@tikflow/core/internal"
import { changeTally } from "@tikflow/core/internal"
import { assertColumn } from "./column-batch.js"
import { assertJsonValue, columnsOf } from "./columns.js"
import { recordNameOf } from "./refused-value.js"

/**
 * For sinks that write each record as one JSON text (NDJSON lines, webhook bodies), what the typed
 * sinks do at their columns: an added field's value JSON cannot hold (a bigint, a cycle, a
 * function, NaN or ±Infinity inside it) is refused, naming the column and the record, as
 * `jsonText` refuses it (JSON.stringify threw naming nothing, or wrote null), by the same check
 * without writing its text (the sink stringifies the record); and a float64 field's NaN or
 * ±Infinity, a number of the column's type that JSON writes as null, is counted as changed.
 */
export const jsonRecordsCheck = (kind: RecordKind, addedFields: ReadonlyArray<string> = [], provenance = false) => {
  const columns = columnsOf(kind, addedFields, provenance)
  const json = columns.filter((column) => column.type === "json")
  const floats = columns.filter((column) => column.type === "float64").map((column) => column.name)
  const nameOf = recordNameOf(kind)
  return (records: ReadonlyArray<unknown>): ReadonlyArray<ChangedValues> | undefined => {
    for (const column of json) {
      assertColumn(nameOf, column, records as ReadonlyArray<AnyRecord>, () => {
        for (let r = 0; r < records.length; r++) assertJsonValue((records[r] as Record<string, unknown>)[column.name], r)
      })
    }
    const changes = changeTally()
    for (const name of floats) {
      for (const record of records) {
        const v = (record as Record<string, unknown>)[name]
        if (typeof v === "number" && !Number.isFinite(v)) changes.count(name, "non-finite-null")
      }
    }
    return changes.take()
  }
}
