import type { ColumnType } from "./columns.js"

/**
 * Thrown for a value its column would store changed: a typed array takes `"abc"` as NaN, `""` as 0,
 * `true` as 1; a string column took a number as "" and the page's other strings with it; a list
 * column took "abc" as ["a", "b", "c"]. Decoded records never hold one; a record a user's source or
 * transform made may. The caller names the column (and the record).
 */
export class RefusedValue extends RangeError {
  constructor(readonly row: number, expected: string, value: unknown, inList = false) {
    super(`expected ${expected}, got ${shownValue(value)}${inList ? " in it" : ""}`)
  }
}

/**
 * Fails on the first value of a `type` column that is not of its type (null, absent, is null),
 * before any column takes a row. int64 has its own check (`assertInt64s`: a range too); json takes
 * any value.
 */
export const assertColumnValues = (type: ColumnType, values: ReadonlyArray<unknown>): void => {
  switch (type) {
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
    case "int64":
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

/** A value as an error shows it: a string quoted (cut at 40), "5" apart from 5, never a whole object. */
export const shownValue = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
    : typeof value === "bigint" ? `the bigint ${value}` : typeof value === "function" ? "a function" : typeof value === "object" ? (Array.isArray(value) ? "an array" : "an object") : String(value)
