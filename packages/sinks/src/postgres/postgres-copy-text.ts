import type { ChangedValues } from "@tikflow/core/internal"
import { isWellFormed } from "@tikflow/core/internal"
import type { Column } from "../schema/columns.js"
import { fieldRead } from "../schema/column-values.js"
import { jsonText } from "../schema/columns.js"
import { assertColumnValues, RefusedValue, refusalIn } from "../schema/refused-value.js"
import { escapeNul, hasNul } from "./postgres-nul.js"

// COPY's text format: one line per row, tab-separated, `\N` for null, and backslash escapes for
// the backslash, newline, carriage return and tab inside values.
const SPECIAL = /[\\\n\r\t]/
const copyEscape = (value: string): string =>
  SPECIAL.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t")) : value

// An array literal: every element double-quoted, `"` and `\` inside it backslash-escaped; a null one NULL.
const arrayLiteral = (items: ReadonlyArray<string | null>): string => {
  let out = "{"
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    out += (i === 0 ? "" : ",") + (item == null ? "NULL" : "\"" + item.replace(/["\\]/g, "\\$&") + "\"")
  }
  return out + "}"
}

const QUOTE = 34
const MINUS = 45
const BACKSLASH = 92

/**
 * Rows as UTF-8 bytes, written straight into a growing buffer. Plain ASCII values (nearly all)
 * are copied char by char, which also proves they need no escape; anything else takes the general
 * path. Building rows as JS strings and joining them made GC 2/3 of the sink's time, and
 * `Buffer.write` per value was the next cost (scripts/measure-postgres-client.mjs has the numbers).
 */
class RowBuffer {
  bytes: Buffer
  length = 0
  constructor(estimate: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(estimate, 4096))
  }
  private reserve(bytes: number): void {
    if (this.length + bytes <= this.bytes.length) return
    const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + bytes))
    this.bytes.copy(next, 0, 0, this.length)
    this.bytes = next
  }
  /** Writes `value` if it is printable ASCII without `\` (and, in an array, without `"`); false leaves nothing written. */
  plain(value: string, inArray: boolean): boolean {
    this.reserve(value.length)
    const bytes = this.bytes
    let at = this.length
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      if (c < 0x20 || c >= 0x7f || c === BACKSLASH || (inArray && c === QUOTE)) return false
      bytes[at++] = c
    }
    this.length = at
    return true
  }
  text(value: string): void {
    // A UTF-16 unit takes at most 3 bytes of UTF-8.
    this.reserve(value.length * 3)
    this.length += this.bytes.write(value, this.length, "utf8")
  }
  /** A safe integer in decimal (the caller checked it is one). */
  integer(value: number): void {
    this.reserve(17)
    const bytes = this.bytes
    let at = this.length
    if (value < 0) {
      bytes[at++] = MINUS
      value = -value
    }
    let digits = 1
    for (let power = 10; power <= value && digits < 16; power *= 10) digits++
    at += digits
    this.length = at
    let rest = value
    // Above 2^31 with float division; below, int32 division (most counts and every time).
    while (rest > 0x7fffffff) {
      const quotient = Math.floor(rest / 10)
      bytes[--at] = 48 + (rest - quotient * 10)
      rest = quotient
    }
    do {
      const quotient = (rest / 10) | 0
      bytes[--at] = 48 + (rest - quotient * 10)
      rest = quotient
    } while (rest > 0)
  }
  byte(code: number): void {
    this.reserve(1)
    this.bytes[this.length++] = code
  }
  /** The bytes written: a view, not a copy. */
  written(): Buffer {
    return this.bytes.subarray(0, this.length)
  }
}

// Chunks of about this size go to the connection one at a time, so the server loads one while
// the next is encoded, and a load holds no more than the rows it carries.
const CHUNK_BYTES = 256 * 1024
// A chunk's buffer has room past CHUNK_BYTES for the row that crosses it: growing a buffer is then
// rare (a row over 64 KB), which keeps the growth path out of the optimized code.
const newChunk = () => new RowBuffer(CHUNK_BYTES + 64 * 1024)

export interface CopyText {
  /**
   * Appends `records` as COPY text rows: the columns in order, then the NUL marker. Returns the
   * values stored changed, per column, undefined when none: those holding NUL characters (stored
   * escaped, see postgres-nul.ts) and lone surrogates (UTF-8 has no bytes for one: U+FFFD), a
   * list's elements one by one. A value its column cannot take exactly (an int64 that is not a
   * safe integer: `1.5`, `1e20`; a value not of the column's type: refused-value.ts) throws,
   * naming the field and the record, and nothing of `records` stays appended.
   */
  append(records: ReadonlyArray<unknown>): ReadonlyArray<ChangedValues> | undefined
  /** Rows appended since the last `take`. */
  readonly rows: number
  /** Bytes appended since the last `take`. */
  readonly bytes: number
  /** The rows appended since the last `take`, as byte chunks; the encoder starts over empty. */
  take(): ReadonlyArray<Buffer>
}

/** What a generated row encoder calls for the uncommon cases (see `rowEncoderFor`). */
interface RowHelpers {
  /** A string the plain path refused (non-ASCII, escapes, NUL); returns the row's NUL field list. */
  text(value: string, column: number, nulFields: Array<string> | undefined): Array<string> | undefined
  list(items: ReadonlyArray<unknown>, column: number, nulFields: Array<string> | undefined, record: unknown): Array<string> | undefined
  /** Throws for a value not of its column's type (refused-value.ts says which). */
  refused(value: unknown, column: number, record: unknown): never
  /** A json column's text (refused-value.ts refuses a bigint, a function). */
  json(value: unknown, column: number, record: unknown): string | null
  nulMarker(nulFields: Array<string>): void
}

type RowEncoder = (out: RowBuffer, r: Record<string, unknown>, h: RowHelpers) => void

/**
 * One row's encoder, generated for the columns: a static property read per column and its
 * type's write, no per-value dispatch. It was 15% faster than a loop over column arrays, and the
 * record's fields are read once, in order. Column names come from the record kinds and the
 * transforms' declared fields; any other name is read as a quoted key.
 */
const rowEncoderFor = (columns: ReadonlyArray<Column>): RowEncoder => {
  const lines = ["let v, nul"]
  columns.forEach((column, c) => {
    if (c > 0) lines.push("out.byte(9)")
    const field = fieldRead("r", column.name)
    lines.push(`v = ${column.type === "json" ? `h.json(${field}, ${c}, r)` : field}`)
    lines.push("if (v === undefined || v === null) { out.byte(92); out.byte(78) }") // \N
    // A value not of the column's type is refused, as assertColumnValues does: written as it is,
    // "false" was true, a number in a text column "", "abc" in a list {a,b,c}, and a tab or newline
    // in a float's string made other columns or rows.
    switch (column.type) {
      case "utf8": lines.push(`else if (typeof v !== "string") h.refused(v, ${c}, r)`, `else if (!out.plain(v, false)) nul = h.text(v, ${c}, nul)`); break
      case "json": lines.push(`else if (!out.plain(v, false)) nul = h.text(v, ${c}, nul)`); break
      // refused-value.ts's isInt64Value, inline.
      case "int64": lines.push(`else if (Number.isSafeInteger(v)) out.integer(v)`, `else h.refused(v, ${c}, r)`); break
      // Digits, `.`, `e`, NaN, Infinity (PostgreSQL takes them all); -0 keeps its sign.
      case "float64": lines.push(`else if (typeof v !== "number") h.refused(v, ${c}, r)`, "else out.text(v === 0 && 1 / v < 0 ? \"-0\" : String(v))"); break
      case "bool": lines.push("else if (v === true) out.byte(116)", "else if (v === false) out.byte(102)", `else h.refused(v, ${c}, r)`); break // t, f
      case "list_utf8": lines.push(`else if (!Array.isArray(v)) h.refused(v, ${c}, r)`, `else nul = h.list(v, ${c}, nul, r)`); break
    }
  })
  lines.push("out.byte(9)", "if (nul === undefined) { out.byte(92); out.byte(78) } else h.nulMarker(nul)", "out.byte(10)")
  return new Function("out", "r", "h", lines.join("\n")) as RowEncoder
}

/**
 * An accumulating COPY text encoder for `columns`: pages of records are appended as they come and
 * taken as one load, so the server gets few large COPYs, not one per page. `describe` names a
 * record in an error (its kind and key).
 */
export const copyTextEncoder = (columns: ReadonlyArray<Column>, describe: (record: unknown) => string): CopyText => {
  const names = columns.map((column) => column.name)
  const encodeRow = rowEncoderFor(columns)
  let out = newChunk()
  let full: Array<RowBuffer> = []
  let fullBytes = 0
  let rows = 0
  // This append's changed values per column (see `append`): set only on the uncommon paths.
  let changes: { nul: Int32Array; surrogate: Int32Array } | undefined
  const changed = () => (changes ??= { nul: new Int32Array(columns.length), surrogate: new Int32Array(columns.length) })
  /** Counts `value`'s lone surrogates, which `Buffer.write` stores as U+FFFD. */
  const wellFormed = (value: string, c: number) => {
    if (!isWellFormed(value)) changed().surrogate[c]!++
  }

  const withNulField = (nulFields: Array<string> | undefined, c: number, count: number): Array<string> => {
    changed().nul[c]! += count
    return [...(nulFields ?? []), names[c]!]
  }
  const helpers: RowHelpers = {
    text(value, c, nulFields) {
      wellFormed(value, c)
      if (!hasNul(value)) return void out.text(copyEscape(value)), nulFields
      out.text(copyEscape(escapeNul(value)))
      return withNulField(nulFields, c, 1)
    },
    list(values, c, nulFields, record) {
      for (let i = 0; i < values.length; i++) if (values[i] != null && typeof values[i] !== "string") helpers.refused(values, c, record)
      const items = values as ReadonlyArray<string | null>
      const start = out.length
      out.byte(123) // {
      let plain = true
      for (let i = 0; plain && i < items.length; i++) {
        if (i > 0) out.byte(44) // ,
        out.byte(QUOTE)
        const item = items[i]
        plain = item != null && out.plain(item, true)
        out.byte(QUOTE)
      }
      if (plain) return void out.byte(125), nulFields // }
      out.length = start
      let withNul = 0
      for (const item of items) {
        if (item == null) continue
        wellFormed(item, c)
        if (hasNul(item)) withNul++
      }
      if (withNul === 0) return void out.text(copyEscape(arrayLiteral(items))), nulFields
      out.text(copyEscape(arrayLiteral(items.map((item) => (item == null ? item : escapeNul(item))))))
      return withNulField(nulFields, c, withNul)
    },
    refused(value, c, record) {
      try {
        assertColumnValues(columns[c]!.type, [value])
      } catch (error) {
        if (error instanceof RefusedValue) throw refusalIn(names[c]!, error, describe(record))
        throw error
      }
      // The encoder's guards and assertColumnValues test the same: not reached.
      throw new RangeError(`${names[c]}: refused ${typeof value} (${describe(record)})`)
    },
    json(value, c, record) {
      try {
        return jsonText(value)
      } catch (error) {
        if (error instanceof RefusedValue) throw refusalIn(names[c]!, error, describe(record))
        throw error
      }
    },
    nulMarker: (nulFields) => out.text(copyEscape(arrayLiteral(nulFields)))
  }

  return {
    append(records) {
      const mark = { full: full.length, length: out.length, fullBytes }
      changes = undefined
      try {
        for (let row = 0; row < records.length; row++) {
          encodeRow(out, records[row] as Record<string, unknown>, helpers)
          if (out.length >= CHUNK_BYTES) {
            full.push(out)
            fullBytes += out.length
            out = newChunk()
          }
        }
      } catch (error) {
        // Back to where this append started: the rows before it stay, none of its own.
        if (full.length > mark.full) out = full[mark.full]!
        full.length = mark.full
        fullBytes = mark.fullBytes
        out.length = mark.length
        throw error
      }
      rows += records.length
      return changes === undefined ? undefined : changedValuesOf(names, changes)
    },
    get rows() {
      return rows
    },
    get bytes() {
      return fullBytes + out.length
    },
    take() {
      const chunks = full.map((buffer) => buffer.written())
      if (out.length > 0) chunks.push(out.written())
      full = []
      fullBytes = 0
      rows = 0
      out = newChunk()
      return chunks
    }
  }
}

/** The per-column counts as changed values: each column's NUL escapes, then its lone surrogates. */
const changedValuesOf = (names: ReadonlyArray<string>, counts: { nul: Int32Array; surrogate: Int32Array }): ReadonlyArray<ChangedValues> | undefined => {
  const changes: Array<ChangedValues> = []
  for (let c = 0; c < names.length; c++) {
    if (counts.nul[c]! > 0) changes.push({ column: names[c]!, reason: "nul-escaped", count: counts.nul[c]! })
    if (counts.surrogate[c]! > 0) changes.push({ column: names[c]!, reason: "lone-surrogate", count: counts.surrogate[c]! })
  }
  return changes.length === 0 ? undefined : changes
}
