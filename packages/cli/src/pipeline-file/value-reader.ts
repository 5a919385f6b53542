import { type FieldPath, formatFieldPath } from "./field-path.js"
import { SpecError } from "./spec-error.js"

const describe = (value: unknown): string =>
  typeof value === "bigint" ? String(value) : value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : JSON.stringify(value)

/** Typed access to a parsed document's values, failing with the path of the offending field. */
export const fail = (path: FieldPath, expected: string, got?: unknown): never => {
  throw new SpecError(path, `${formatFieldPath(path)}: expected ${expected}${got === undefined ? "" : `, got ${describe(got)}`}`)
}

/**
 * A number from a scalar (YAML gives numbers, JSON may quote them, big integers come as bigints);
 * NaN for anything else, for the caller's one-line error: `Number()` of an object whose `toString`
 * is not a function throws a TypeError.
 */
export const numberOf = (value: unknown): number =>
  typeof value === "number" ? value : typeof value === "string" || typeof value === "bigint" ? Number(value) : Number.NaN

export const asMapping = (value: unknown, path: FieldPath, known: ReadonlyArray<string>): Record<string, unknown> => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return fail(path, "a mapping", value)
  const mapping = value as Record<string, unknown>
  for (const key of Object.keys(mapping)) {
    if (!known.includes(key)) {
      throw new SpecError([...path, key], `${formatFieldPath([...path, key])}: unknown field (known: ${known.join(", ")})`)
    }
  }
  return mapping
}

export const asList = (value: unknown, path: FieldPath): ReadonlyArray<unknown> =>
  Array.isArray(value) ? value : fail(path, "a list", value)

export const asString = (value: unknown, path: FieldPath, expected = "a string"): string =>
  typeof value === "string" && value.trim() !== "" ? value : fail(path, expected, value)

export const asBoolean = (value: unknown, path: FieldPath): boolean =>
  typeof value === "boolean" ? value : fail(path, "true or false", value)

export const required = (mapping: Record<string, unknown>, key: string, path: FieldPath, expected: string): unknown =>
  mapping[key] === undefined || mapping[key] === null ? fail([...path, key], `${expected} (required)`) : mapping[key]

/** A list of strings, written as a YAML list or as one comma-separated string. */
export const asStringList = (value: unknown, path: FieldPath, expected: string): ReadonlyArray<string> => {
  const items = typeof value === "string" ? value.split(",").map((item) => item.trim()) : asList(value, path)
  if (items.length === 0) return fail(path, `a non-empty list of ${expected}`)
  return items.map((item, index) => {
    const at = typeof value === "string" ? path : [...path, index]
    // Integers arrive as bigint (the YAML reader keeps every digit of ids beyond 2^53).
    if (typeof item === "bigint" || (typeof item === "number" && Number.isSafeInteger(item))) return String(item)
    return asString(item, at, expected)
  })
}
