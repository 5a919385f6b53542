import type { RecordKind } from "@tikflow/core"
import { recordKinds } from "@tikflow/core"

/** The storage type of one record field, shared by the Arrow, Parquet and DuckDB sinks. */
export type ColumnType = "utf8" | "int64" | "bool" | "list_utf8"

export interface Column {
  readonly name: string
  readonly type: ColumnType
  /** Key columns are never null; every other field may be (null: the API withheld it, never 0). */
  readonly nullable: boolean
}

// Field names mean the same thing in every record kind, so one table types them all.
const int64Fields = new Set([
  "create_time", "like_count", "comment_count", "share_count", "view_count", "favorites_count",
  "video_duration", "reply_count", "follower_count", "following_count", "likes_count", "video_count"
])
const boolFields = new Set(["is_stem_verified", "is_verified"])
const listFields = new Set(["hashtag_names", "effect_ids", "video_mention_list"])

const typeOf = (field: string): ColumnType =>
  int64Fields.has(field) ? "int64" : boolFields.has(field) ? "bool" : listFields.has(field) ? "list_utf8" : "utf8"

const cache = new Map<RecordKind, ReadonlyArray<Column>>()

/** The columns of a record kind, in the record's field order. */
export const columnsOf = (kind: RecordKind): ReadonlyArray<Column> => {
  let columns = cache.get(kind)
  if (columns === undefined) {
    const info = recordKinds[kind]
    if (info === undefined) throw new Error(`recordKind: expected one of ${Object.keys(recordKinds).join(", ")}, got ${JSON.stringify(kind)}`)
    const keys = new Set<string>(info.primaryKey)
    columns = info.fields.map((name) => ({ name, type: typeOf(name), nullable: !keys.has(name) }))
    cache.set(kind, columns)
  }
  return columns
}
