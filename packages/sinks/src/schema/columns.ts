import type { RecordKind } from "@tikflow/core/internal"
import { provenanceFields, recordKinds } from "@tikflow/core/internal"
import { RefusedValue, SymbolKey } from "./refused-value.js"

/**
 * The storage type of one record field, shared by the Arrow, Parquet and DuckDB sinks. `json` is a
 * field a transform added (a join's `author`): any value, stored as its JSON text (utf8/VARCHAR).
 */
export type ColumnType = "utf8" | "int64" | "float64" | "bool" | "list_utf8" | "json"

export interface Column {
  readonly name: string
  readonly type: ColumnType
  /** Key columns are never null; every other field may be (null: the API withheld it, never 0). */
  readonly nullable: boolean
  /**
   * Not a field of the record kind: added by a transform (`json`) or the runner (provenance). A
   * table an earlier run created may lack it; the database sinks add it (null in older rows).
   */
  readonly added?: boolean
}

// Field names mean the same thing in every record kind, so one table types them all.
const int64Fields = new Set([
  "create_time", "like_count", "comment_count", "share_count", "view_count", "favorites_count",
  "reply_count", "follower_count", "following_count", "likes_count", "video_count"
])
// Seconds with a fraction (the API sends `15.2`): an int64 column would truncate them.
const float64Fields = new Set(["video_duration"])
const boolFields = new Set(["is_stem_verified", "is_verified"])
const listFields = new Set(["hashtag_names", "effect_ids", "video_mention_list"])

const typeOf = (field: string): ColumnType =>
  int64Fields.has(field) ? "int64" : float64Fields.has(field) ? "float64" : boolFields.has(field) ? "bool" : listFields.has(field) ? "list_utf8" : "utf8"

const cache = new Map<string, ReadonlyArray<Column>>()

/**
 * The columns of a record kind, in the record's field order, then one nullable `json` column per
 * field the pipeline's transforms add (`StreamContext.addedFields`), then, when `provenance` is
 * set (`StreamContext.provenance`), the utf8 provenance columns `_harvest_id`, `_fetched_at`,
 * `_log_id`.
 */
export const columnsOf = (kind: RecordKind, addedFields: ReadonlyArray<string> = [], provenance = false): ReadonlyArray<Column> => {
  const cacheKey = [kind, provenance ? "p" : "", ...addedFields].join("\u0000")
  let columns = cache.get(cacheKey)
  if (columns === undefined) {
    const info = recordKinds[kind]
    if (info === undefined) throw new Error(`recordKind: expected one of ${Object.keys(recordKinds).join(", ")}, got ${JSON.stringify(kind)}`)
    const keys = new Set<string>(info.primaryKey)
    const fields = new Set<string>(info.fields)
    for (const field of addedFields) {
      if (fields.has(field)) throw new Error(`${field}: a transform adds this field, but ${kind} records already have it; add it under another name`)
      if ((provenanceFields as ReadonlyArray<string>).includes(field)) {
        throw new Error(`${field}: a transform adds this field, but it is a provenance field the runner sets; add it under another name`)
      }
    }
    columns = [
      ...info.fields.map((name): Column => ({ name, type: typeOf(name), nullable: !keys.has(name) })),
      ...addedFields.map((name): Column => ({ name, type: "json", nullable: true, added: true })),
      ...(provenance ? provenanceFields.map((name): Column => ({ name, type: "utf8", nullable: true, added: true })) : [])
    ]
    cache.set(cacheKey, columns)
  }
  return columns
}

/**
 * Fails when records carry a field no column holds (a transform added it without declaring it in
 * `addsFields`), rather than dropping it. Checks each batch's first record: batches of one stage
 * share one shape, and a check per record would cost the hot path.
 */
export const assertColumnsHoldFields = (columns: ReadonlyArray<Column>, records: ReadonlyArray<unknown>): void => {
  const first = records[0]
  if (first === null || typeof first !== "object") return
  const keys = Object.keys(first)
  if (keys.length <= columns.length && keys.every((key, i) => columns[i]?.name === key)) return
  const names = new Set(columns.map((column) => column.name))
  const extra = keys.find((key) => !names.has(key))
  if (extra !== undefined) {
    throw new Error(
      `${extra}: records carry a field no column holds; a transform that adds fields must declare them ` +
        `(Transform.addsFields; lookupJoin with enrichAs does) or, opening a sink yourself, pass them as StreamContext.addedFields`
    )
  }
}

/**
 * How a `json` column stores a value: its JSON text, null for null (or absent); a value
 * {@link assertJsonValue} refuses is refused.
 */
export const jsonText = (value: unknown, row = 0): string | null => {
  if (value === null || value === undefined) return null
  assertJsonValue(value, row)
  return JSON.stringify(value)
}

/**
 * Refuses a value a json column cannot store as it is: one JSON.stringify fails on (a bigint, a
 * cycle, a `toJSON` or getter that throws) or writes nothing for (a function, a symbol), shown
 * whole; and one holding what its text would change ({@link changedByJson}: NaN read back as a null
 * the value never held, a Map as `{}`), shown as what is "in it". A transform made it, and the user
 * can fix the transform. Writes no text: NDJSON and the webhook check their records' added fields
 * with it, then stringify each record once.
 */
export const assertJsonValue = (value: unknown, row = 0): void => {
  if (value === null || value === undefined) return
  let changed: unknown
  try {
    changed = changedByJson(value, undefined)
  } catch {
    throw new RefusedValue(row, "a JSON value", value)
  }
  if (changed !== kept) throw new RefusedValue(row, "a JSON value", changed, true)
}

/** What {@link changedByJson} finds where JSON keeps the value as it is. */
const kept = Symbol("kept")

/** What {@link changedByJson} throws where JSON.stringify fails or writes nothing. */
const unwritable = new TypeError("JSON cannot write it")

/**
 * The first value inside `value` that JSON.stringify stores changed, walked as it walks (`toJSON`
 * first): NaN or ±Infinity (null), a function or symbol (dropped, or null in an array), a Map or a
 * Set (`{}`, its entries lost), an enumerable symbol-keyed property (dropped; a {@link SymbolKey}).
 * An undefined property or element is left: JSON reads it as absent. Throws where JSON.stringify
 * throws (a bigint; a cycle: `inside` holds the objects the walk is in, undefined at the top) or,
 * at the top, writes nothing; it walks on past a changed value to find those.
 */
const changedByJson = (value: unknown, inside: Array<object> | undefined): unknown => {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? kept : value
    case "string":
    case "boolean":
      return kept
    case "undefined":
    case "function":
    case "symbol":
      if (inside === undefined) throw unwritable
      return value === undefined ? kept : value
  }
  if (value === null) return kept
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === "function") {
    const inner: unknown = toJSON.call(value)
    if (inner !== value) return changedByJson(inner, inside)
  }
  if (typeof value === "bigint") throw unwritable
  return changedInObject(value as object, inside ?? [])
}

/** {@link changedByJson} of an object: its items or property values, in JSON's order. */
const changedInObject = (value: object, inside: Array<object>): unknown => {
  if (inside.includes(value)) throw unwritable
  const prototype: unknown = Object.getPrototypeOf(value)
  // Objects JSON writes by their own properties alone skip the checks for a Map, Set or boxed value.
  if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) {
    if (value instanceof Map || value instanceof Set) return value
    // JSON writes a boxed primitive as the primitive (a boxed string or boolean as it is).
    if (value instanceof Number) return changedByJson(Number(value), inside)
    if (value instanceof BigInt) throw unwritable
  }
  const symbolKey = enumerableSymbolKey(value)
  let found: unknown = symbolKey === undefined ? kept : new SymbolKey(symbolKey)
  const items: ReadonlyArray<unknown> = Array.isArray(value) ? value : Object.values(value)
  inside.push(value)
  for (let i = 0; i < items.length; i++) {
    const item = changedByJson(items[i], inside)
    if (found === kept) found = item
  }
  inside.pop()
  return found
}

/**
 * An own enumerable symbol-keyed property of `value`, which JSON.stringify skips: data as much as a
 * string-keyed one (a spread copies it). A non-enumerable one is hidden by its maker, as JSON hides
 * a non-enumerable string key.
 */
const enumerableSymbolKey = (value: object): symbol | undefined => {
  const symbols = Object.getOwnPropertySymbols(value)
  for (let i = 0; i < symbols.length; i++) if (Object.prototype.propertyIsEnumerable.call(value, symbols[i]!)) return symbols[i]
  return undefined
}
