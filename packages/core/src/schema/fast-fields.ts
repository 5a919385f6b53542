/**
 * The hot path of decoding. Decoding a page through effect/Schema costs ~2 ms per 100 videos, too
 * slow for harvests and benchmarks, so each record schema has a field table from which a plain
 * loop decodes the *common* wire shapes (ids as decimal strings or safe integers, counts as
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

const DECIMAL = /^-?\d+$/
const GIVE_UP = Symbol("give up")

const readField = (kind: FieldKind, value: unknown): unknown => {
  if (value === undefined || value === null) return null
  switch (kind) {
    case "id":
      if (typeof value === "string") return DECIMAL.test(value) ? value : GIVE_UP
      return typeof value === "number" && Number.isSafeInteger(value) ? String(value) : GIVE_UP
    case "count":
      // Anything but a safe integer goes to the schema, which names the field and the value.
      return typeof value === "number" && Number.isSafeInteger(value) ? value : GIVE_UP
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : GIVE_UP
    case "string":
      return typeof value === "string" ? value : GIVE_UP
    case "boolean":
      return typeof value === "boolean" ? value : GIVE_UP
    case "strings":
      if (!Array.isArray(value)) return GIVE_UP
      for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return GIVE_UP
      return value
    case "ids": {
      if (!Array.isArray(value)) return GIVE_UP
      const ids = new Array<string>(value.length)
      for (let i = 0; i < value.length; i++) {
        const id = readField("id", value[i])
        if (typeof id !== "string") return GIVE_UP
        ids[i] = id
      }
      return ids
    }
    case "json":
      return JSON.stringify(value)
  }
}

/**
 * A decoder of the table's common wire shapes; `undefined` means "ask the schema". The function is
 * generated so that every record it builds is one object literal of a fixed shape: a generic loop
 * assigning keys builds dictionary-mode objects, several times slower to build and to read later.
 */
export const makeFastDecoder = <T extends FieldTable>(table: T): ((raw: unknown) => RecordOfTable<T> | undefined) => {
  const fields = Object.keys(table)
  const reads = fields.map(
    (field, i) =>
      `const v${i} = read(${JSON.stringify(table[field])}, raw[${JSON.stringify(field)}]); if (v${i} === GIVE_UP) return undefined;`
  )
  const literal = fields.map((field, i) => `${JSON.stringify(field)}: v${i}`).join(", ")
  const build = new Function(
    "read",
    "GIVE_UP",
    `return function (raw) {\n  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;\n  ${reads.join("\n  ")}\n  return { ${literal} };\n}`
  ) as (read: typeof readField, giveUp: typeof GIVE_UP) => (raw: unknown) => RecordOfTable<T> | undefined
  return build(readField, GIVE_UP)
}

/** `raw` as a plain object, or undefined. */
export const asObject = (raw: unknown): Record<string, unknown> | undefined =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined
