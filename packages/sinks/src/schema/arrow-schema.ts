import type { RecordKind } from "@tikflow/core/internal"
import type { DataType, Schema } from "apache-arrow"
import { apacheArrow } from "./arrow-library.js"
import type { Column, ColumnType } from "./columns.js"
import { columnsOf } from "./columns.js"

export const arrowTypeOf = (type: ColumnType): DataType => {
  const { Bool, Field, Float64, Int64, List, Utf8 } = apacheArrow()
  switch (type) {
    case "utf8": return new Utf8()
    case "int64": return new Int64()
    case "float64": return new Float64()
    case "bool": return new Bool()
    case "list_utf8": return new List(new Field("item", new Utf8(), true))
    case "json": return new Utf8()
  }
}

const cache = new Map<ReadonlyArray<Column>, Schema>()

// A field a transform added carries its encoding, so readers know to parse the text.
const fieldMetadata = (column: Column) => (column.type === "json" ? new Map([["tikflow.encoding", "json"]]) : null)

/**
 * The stable Arrow schema of a record kind: utf8 ids and text, int64 counts and times (unix
 * seconds), float64 durations, bool flags, list<utf8> for hashtags, effect ids and mentions;
 * nullable but the keys.
 * Fields a transform added follow as utf8 columns of JSON text, then the utf8 provenance columns.
 */
export const arrowSchemaFor = (kind: RecordKind, addedFields: ReadonlyArray<string> = [], provenance = false): Schema =>
  arrowSchemaOf(kind, columnsOf(kind, addedFields, provenance))

/** The Arrow schema of `columnsOf(kind, …)`'s columns (see {@link arrowSchemaFor}). */
export const arrowSchemaOf = (kind: RecordKind, columns: ReadonlyArray<Column>): Schema => {
  let schema = cache.get(columns)
  if (schema === undefined) {
    const { Field, Schema } = apacheArrow()
    schema = new Schema(
      columns.map((column) => new Field(column.name, arrowTypeOf(column.type), column.nullable, fieldMetadata(column))),
      new Map([["tikflow.record_kind", kind]])
    )
    cache.set(columns, schema)
  }
  return schema
}
