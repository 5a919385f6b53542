/**
 * The hot path of decoding. Decoding a page through effect/Schema costs ~2 ms per 100 videos, too
 * slow for harvests and benchmarks, so each record schema has a field table from which a generated
 * function decodes the *common* wire shapes (ids as decimal strings or safe integers, counts as
 * safe integers, absent or null fields). On anything else it gives up (`undefined`) and the caller
 * decodes through the schema, which accepts the rarer shapes (numeric strings) and names the path
 * of a wrong type. Tests check both paths agree.
 */

/** How one wire field is read. */
export type FieldKind = "id" | "count" | "number" | "string" | "boolean" | "strings" | "ids" | "json"

interface KindTypes {
  readonly id: string
  readonly count: number
  readonly number: number
  readonly string: string
  readonly boolean: boolean
  readonly strings: ReadonlyArray<string>
  readonly ids: ReadonlyArray<string>
  readonly json: string
}

export type FieldTable = { readonly [field: string]: FieldKind }

/** The decoded record a field table describes: every field present, `null` when absent. */
export type RecordOfTable<T extends FieldTable> = { readonly [K in keyof T]: KindTypes[T[K]] | null }

/** How the record is shaped from the wire fields, beyond one field per table entry. */
export interface FastDecoderShape<T extends FieldTable> {
  /**
   * Wire fields read into another: `{ video_id: "id" }` checks `video_id` as its kind and uses it
   * for `id` when `id` is absent or null; `video_id` itself is not in the record.
   */
  readonly fallbacks?: { readonly [K in keyof T]?: keyof T & string }
  /** Fields that must end up non-null: a record without one goes to the schema, which names it. */
  readonly required?: ReadonlyArray<keyof T & string>
}

/** The record of a table, less the fields that only stand in for others (`fallbacks`). */
export type ShapedRecord<T extends FieldTable, S extends FastDecoderShape<T>> =
  Omit<RecordOfTable<T>, keyof NonNullable<S["fallbacks"]> & keyof T>

const DECIMAL = /^-?\d+$/

/** The ids of a list as strings, or undefined when one is not an id of the common shapes. */
const readIds = (value: ReadonlyArray<unknown>): Array<string> | undefined => {
  const ids = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) {
    const id = value[i]
    if (typeof id === "string" && DECIMAL.test(id)) ids[i] = id
    else if (typeof id === "number" && Number.isSafeInteger(id)) ids[i] = String(id)
    else return undefined
  }
  return ids
}

/** Whether every item of a list is a string. */
const allStrings = (value: ReadonlyArray<unknown>): boolean => {
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return false
  return true
}

/**
 * The statements of one `case`: the wire value `v` (neither undefined nor null) in its decoded form
 * stored by `store`, or `return undefined` (give up) for any other shape.
 */
const caseStatements = (kind: FieldKind, store: (value: string) => string): string => {
  switch (kind) {
    case "id":
      return `if (typeof v === "string") { if (!DECIMAL.test(v)) return undefined; ${store("v")} }\n` +
        `      else if (typeof v === "number" && Number.isSafeInteger(v)) ${store("String(v)")}\n      else return undefined;`
    case "count":
      // Anything but a safe integer goes to the schema, which names the field and the value.
      return `if (typeof v !== "number" || !Number.isSafeInteger(v)) return undefined; ${store("v")}`
    case "number":
      return `if (typeof v !== "number" || !Number.isFinite(v)) return undefined; ${store("v")}`
    case "string":
      return `if (typeof v !== "string") return undefined; ${store("v")}`
    case "boolean":
      return `if (typeof v !== "boolean") return undefined; ${store("v")}`
    case "strings":
      return `if (!Array.isArray(v) || !allStrings(v)) return undefined; ${store("v")}`
    case "ids":
      return `if (!Array.isArray(v)) return undefined; const ids = readIds(v); if (ids === undefined) return undefined; ${store("ids")}`
    case "json":
      return store("JSON.stringify(v)")
  }
}

/**
 * A decoder of the table's common wire shapes straight into the record; `undefined` means "ask the
 * schema". Generated once per table: the record is one object literal of a fixed shape, every field
 * null (a generic loop adding keys builds dictionary-mode objects, several times slower to build
 * and to read later), filled from the wire object's own keys in one pass (a record carries only
 * some of the fields: probing each absent one by name costs more than walking those present);
 * besides the values it holds, only the wire object's key and value arrays are allocated per
 * record. Unknown wire fields are ignored, as the schema ignores them.
 */
export const makeFastDecoder = <T extends FieldTable, const S extends FastDecoderShape<T> = {}>(
  table: T,
  shape?: S
): ((raw: unknown) => ShapedRecord<T, S> | undefined) => {
  const fields = Object.keys(table)
  const fallbacks: Record<string, string | undefined> = { ...shape?.fallbacks }
  const inRecord = fields.filter((field) => fallbacks[field] === undefined)
  const standIn = (field: string) => `standIn${fields.indexOf(field)}`
  const cases = fields.map((field) => {
    const store = fallbacks[field] === undefined
      ? (value: string) => `record[${JSON.stringify(field)}] = ${value};`
      : (value: string) => `${standIn(field)} = ${value};`
    return `    case ${JSON.stringify(field)}:\n      ${caseStatements(table[field], store)}\n      break;`
  })
  const declarations = Object.keys(fallbacks).map((field) => `let ${standIn(field)} = null;`)
  const after = [
    ...Object.entries(fallbacks).map(([from, into]) =>
      `if (record[${JSON.stringify(into)}] === null) record[${JSON.stringify(into)}] = ${standIn(from)};`),
    ...(shape?.required ?? []).map((field) => `if (record[${JSON.stringify(field)}] === null) return undefined;`)
  ]
  const body = [
    `if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;`,
    `const record = { ${inRecord.map((field) => `${JSON.stringify(field)}: null`).join(", ")} };`,
    ...declarations,
    // The own keys and their values as two arrays, in the same order: no keyed load per field
    // (wire objects come in hundreds of shapes, so each `raw[key]` was a megamorphic lookup).
    // ~0.4 µs per video less than `for…in` with `Object.hasOwn` (500 sandbox pages, fresh process).
    `const keys = Object.keys(raw);`,
    `const values = Object.values(raw);`,
    `for (let i = 0; i < keys.length; i++) {`,
    `  const key = keys[i];`,
    `  const v = values[i];`,
    `  if (v === undefined || v === null) continue;`,
    `  switch (key) {`,
    ...cases,
    `  }`,
    `}`,
    ...after,
    `return record;`
  ]
  const build = new Function("DECIMAL", "allStrings", "readIds", `return function decodeFast(raw) {\n  ${body.join("\n  ")}\n}`) as (
    decimal: RegExp,
    strings: typeof allStrings,
    ids: typeof readIds
  ) => (raw: unknown) => ShapedRecord<T, S> | undefined
  return build(DECIMAL, allStrings, readIds)
}

/** `raw` as a plain object, or undefined. */
export const asObject = (raw: unknown): Record<string, unknown> | undefined =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined
