import type { RecordKind } from "@tikflow/core"
import { Bool, Field, Int64, List, Schema, Utf8 } from "apache-arrow"
import type { DataType } from "apache-arrow"
import type { ColumnType } from "./columns.js"
import { columnsOf } from "./columns.js"

export const arrowTypeOf = (type: ColumnType): DataType => {
  switch (type) {
    case "utf8": return new Utf8()
    case "int64": return new Int64()
    case "bool": return new Bool()
    case "list_utf8": return new List(new Field("item", new Utf8(), true))
  }
}

const cache = new Map<RecordKind, Schema>()

/**
 * The stable Arrow schema of a record kind: utf8 ids and text, int64 counts and times (unix
 * seconds), bool flags, list<utf8> for hashtags, effect ids and mentions; nullable but the keys.
 */
export const arrowSchemaFor = (kind: RecordKind): Schema => {
  let schema = cache.get(kind)
  if (schema === undefined) {
    schema = new Schema(
      columnsOf(kind).map((column) => new Field(column.name, arrowTypeOf(column.type), column.nullable)),
      new Map([["tikflow.record_kind", kind]])
    )
    cache.set(kind, schema)
  }
  return schema
}
