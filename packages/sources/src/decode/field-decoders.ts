import { DecodeError } from "@tikflow/core"

/**
 * Field-by-field decoding of API records into complete tikflow records (every field present, null
 * where the API omitted it). Bodies arrive from the lossless parser, so unsafe integers are already
 * decimal strings; safe ones are numbers and become strings here for id fields.
 */
export type FieldKind = "id" | "number" | "string" | "boolean" | "strings" | "json"
export type FieldTable = { readonly [field: string]: FieldKind }

/** Thrown inside decoders, turned into a `DecodeError` at the page boundary. */
export class FieldError extends Error {
  constructor(readonly path: string, message: string) {
    super(message)
  }
}

const decodeValue = (kind: FieldKind, value: unknown, path: string): unknown => {
  if (value === undefined || value === null) return null
  switch (kind) {
    case "id":
      if (typeof value === "string" && /^-?\d+$/.test(value)) return value
      if (typeof value === "number" && Number.isSafeInteger(value)) return String(value)
      throw new FieldError(path, `expected an integer id, got ${JSON.stringify(value)}`)
    case "number":
      if (typeof value === "number" && Number.isFinite(value)) return value
      if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
      throw new FieldError(path, `expected a number, got ${JSON.stringify(value)}`)
    case "string":
      if (typeof value === "string") return value
      if (typeof value === "number") return String(value)
      throw new FieldError(path, `expected a string, got ${JSON.stringify(value)}`)
    case "boolean":
      if (typeof value === "boolean") return value
      throw new FieldError(path, `expected a boolean, got ${JSON.stringify(value)}`)
    case "strings":
      if (!Array.isArray(value)) throw new FieldError(path, `expected an array of strings`)
      return value.map((item, i) => decodeValue(item === null ? "string" : typeof item === "number" ? "id" : "string", item, `${path}[${i}]`))
    case "json":
      return JSON.stringify(value)
  }
}

/** Decodes one record: every field of `table` read from `raw` (or its aliases), plus `extra`. */
export const decodeRecord = <A>(
  table: FieldTable,
  raw: unknown,
  path: string,
  options: { readonly required?: ReadonlyArray<string>; readonly aliases?: Readonly<Record<string, string>> } = {}
): A => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FieldError(path, "expected an object")
  const source = raw as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const field in table) {
    let value = source[field]
    const alias = options.aliases?.[field]
    if (value === undefined && alias !== undefined) value = source[alias]
    out[field] = decodeValue(table[field], value, `${path}.${field}`)
  }
  for (const field of options.required ?? []) {
    if (out[field] === null) throw new FieldError(`${path}.${field}`, "required field is missing")
  }
  return out as A
}

/** `body.data` as an object, or a decode failure. */
export const dataOf = (body: unknown): Record<string, unknown> => {
  const data = typeof body === "object" && body !== null ? (body as { data?: unknown }).data : undefined
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new FieldError("data", "expected an object")
  return data as Record<string, unknown>
}

/** The first of `keys` present in `data` as an array (absent or null = empty: the API drops empty fields). */
export const listOf = (data: Record<string, unknown>, keys: ReadonlyArray<string>): { readonly key: string; readonly items: ReadonlyArray<unknown> } => {
  for (const key of keys) {
    const value = data[key]
    if (value === undefined || value === null) continue
    if (!Array.isArray(value)) throw new FieldError(`data.${key}`, "expected an array")
    return { key, items: value }
  }
  return { key: keys[0], items: [] }
}

export const booleanOf = (data: Record<string, unknown>, key: string): boolean => {
  const value = data[key]
  if (value === undefined || value === null) return false
  if (typeof value !== "boolean") throw new FieldError(`data.${key}`, `expected a boolean, got ${JSON.stringify(value)}`)
  return value
}

/** A cursor exactly as the API sent it (a number, or a decimal string for big values). */
export const cursorOf = (data: Record<string, unknown>, key = "cursor"): number | string | null => {
  const value = data[key]
  if (value === undefined || value === null) return null
  if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) return value
  throw new FieldError(`data.${key}`, `expected an integer cursor, got ${JSON.stringify(value)}`)
}

/** Runs a decoder, turning a `FieldError` into the endpoint's `DecodeError`. */
export const decodeOrError = <A>(endpoint: string, decode: () => A): A | DecodeError => {
  try {
    return decode()
  } catch (error) {
    if (error instanceof FieldError) return new DecodeError({ endpoint, path: error.path, message: error.message })
    return new DecodeError({ endpoint, path: "", message: error instanceof Error ? error.message : String(error) })
  }
}
