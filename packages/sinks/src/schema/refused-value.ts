import type { RecordKind } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import type { ColumnType } from "./columns.js"

/**
 * Thrown for a value its column would store changed: an int64 column takes 1.5 cut and 2^60 + 1 as
 * 2^60, a typed array takes `"abc"` as NaN, `""` as 0, `true` as 1; a string column took a number as "" and the page's other strings with it; a list
 * column took "abc" as ["a", "b", "c"]. Decoded records never hold one; a record a user's source or
 * transform made may. The caller names the column and the record ({@link refusalIn}).
 */
export class RefusedValue extends RangeError {
  constructor(readonly row: number, expected: string, value: unknown, inList = false) {
    super(`expected ${expected}, got ${shownValue(value)}${inList ? " in it" : ""}`)
  }
}

/** How a refusal names its record: kind and key (`video 7312…`). */
export const recordNameOf = (kind: RecordKind) => (record: unknown): string => `${kind} ${recordKinds[kind].keyOf(record as never)}`

/** A refusal as every sink reports it, one line: `like_count: expected …, got 1.5 (video 7312…)`. */
export const refusalIn = (column: string, error: RefusedValue, record: string): RangeError =>
  new RangeError(`${column}: ${error.message} (${record})`)

/**
 * What an int64 column takes, in every sink: a JS number that is an integer within ±(2^53 − 1).
 * Records hold counts and times as numbers (the decoders refuse any other), and past 2^53 a number
 * is already rounded (`2 ** 60 + 1 === 2 ** 60`): storing it would store a changed value as exact.
 * A numeric string ("5") is not a number (a float64 or bool column refuses it too), and a bigint
 * is refused as well: exact in Parquet, DuckDB and PostgreSQL alike, but no record kind holds one,
 * JSON (NDJSON, webhook, a json column) cannot, and reading it back as a number would round it.
 * The PostgreSQL encoder inlines this test in its generated code (`postgres-copy-text.ts`).
 */
export const isInt64Value = (value: unknown): value is number => Number.isSafeInteger(value)

/**
 * Fails on the first value of a `type` column that is not of its type (null, absent, is null),
 * before any column takes a row; json takes any value (its text is `columns.ts` `jsonText`'s).
 */
export const assertColumnValues = (type: ColumnType, values: ReadonlyArray<unknown>): void => {
  switch (type) {
    case "int64":
      for (let i = 0; i < values.length; i++) {
        const v = values[i]
        if (v != null && !isInt64Value(v)) throw new RefusedValue(i, "an integer in ±(2^53 - 1)", v)
      }
      return
    case "float64":
      for (let i = 0; i < values.length; i++) {
        const v = values[i]
        if (v != null && typeof v !== "number") throw new RefusedValue(i, "a number", v)
      }
      return
    case "bool":
      for (let i = 0; i < values.length; i++) {
        const v = values[i]
        if (v != null && typeof v !== "boolean") throw new RefusedValue(i, "a boolean", v)
      }
      return
    case "utf8":
      for (let i = 0; i < values.length; i++) {
        const v = values[i]
        if (v != null && typeof v !== "string") throw new RefusedValue(i, "a string", v)
      }
      return
    case "list_utf8":
      for (let i = 0; i < values.length; i++) assertStringList(i, values[i])
      return
    case "json":
      return
  }
}

/** A list of strings (an element may be null or absent), or null. */
const assertStringList = (row: number, value: unknown): void => {
  if (value == null) return
  if (!Array.isArray(value)) throw new RefusedValue(row, "a list of strings", value)
  for (let k = 0; k < value.length; k++) {
    const item: unknown = value[k]
    if (item != null && typeof item !== "string") throw new RefusedValue(row, "a list of strings", item, true)
  }
}

/** A symbol-keyed property found in a json value (JSON drops it), as a refusal names it. */
export class SymbolKey {
  constructor(readonly key: symbol) {}
}

/** A value as an error shows it: a string quoted (cut at 40), "5" apart from 5, never a whole object. */
export const shownValue = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
    : typeof value === "bigint" ? `the bigint ${value}` : typeof value === "function" ? "a function" : typeof value === "object" ? (Array.isArray(value) ? "an array" : value instanceof Map ? "a Map" : value instanceof Set ? "a Set" : value instanceof SymbolKey ? `the symbol key ${String(value.key)}` : "an object") : String(value)
