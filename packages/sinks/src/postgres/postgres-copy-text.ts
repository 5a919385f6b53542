import type { Column } from "../schema/columns.js"
import { NotAnInt64 } from "../schema/column-data.js"
import { columnValues } from "../schema/column-values.js"
import { jsonText } from "../schema/columns.js"
import { escapeNul, hasNul } from "./postgres-nul.js"

// COPY's text format: one line per row, tab-separated, `\N` for null, and backslash escapes for
// the backslash, newline, carriage return and tab inside values.
const SPECIAL = /[\\\n\r\t]/
const copyEscape = (value: string): string =>
  SPECIAL.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t")) : value

// An array literal: every element double-quoted, `"` and `\` inside it backslash-escaped.
const arrayLiteral = (items: ReadonlyArray<string>): string => {
  let out = "{"
  for (let i = 0; i < items.length; i++) out += (i === 0 ? "\"" : ",\"") + items[i]!.replace(/["\\]/g, "\\$&") + "\""
  return out + "}"
}

const TAB = 9
const NEWLINE = 10
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
    if (value < 0) {
      bytes[this.length++] = MINUS
      value = -value
    }
    let digits = 1
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
    let at = this.length + digits
    this.length = at
    let rest = value
    do {
      bytes[--at] = 48 + (rest % 10)
      rest = Math.floor(rest / 10)
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

// Column types as small integers: the row loop compares these, not strings.
const Kind = { Text: 0, Json: 1, Int: 2, Float: 3, Bool: 4, List: 5 } as const
const kindOf = (type: Column["type"]): number =>
  type === "utf8" ? Kind.Text : type === "json" ? Kind.Json : type === "int64" ? Kind.Int : type === "float64" ? Kind.Float : type === "bool" ? Kind.Bool : Kind.List

export interface CopyText {
  /**
   * Appends `records` as COPY text rows: the columns in order, then the NUL marker. Returns how
   * many values held NUL characters (stored escaped, see postgres-nul.ts). A value its column
   * cannot take exactly (an int64 that is not a safe integer: `1.5`, `1e20`) throws, naming the
   * field and the record, and nothing of `records` stays appended.
   */
  append(records: ReadonlyArray<unknown>): number
  /** Rows appended since the last `take`. */
  readonly rows: number
  /** Bytes appended since the last `take`. */
  readonly bytes: number
  /** The rows appended since the last `take`, as byte chunks; the encoder starts over empty. */
  take(): ReadonlyArray<Buffer>
}

/**
 * An accumulating COPY text encoder for `columns`: pages of records are appended as they come and
 * taken as one load, so the server gets few large COPYs, not one per page. `describe` names a
 * record in an error (its kind and key).
 */
export const copyTextEncoder = (columns: ReadonlyArray<Column>, describe: (record: unknown) => string): CopyText => {
  const readers = columns.map((column) => columnValues(column.name))
  const kinds = columns.map((column) => kindOf(column.type))
  const names = columns.map((column) => column.name)
  let out = new RowBuffer(CHUNK_BYTES)
  let full: Array<RowBuffer> = []
  let fullBytes = 0
  let rows = 0
  let escapedValues = 0

  const general = (value: string, c: number, nulFields: Array<string> | undefined): Array<string> | undefined => {
    if (!hasNul(value)) return void out.text(copyEscape(value)), nulFields
    escapedValues++
    out.text(copyEscape(escapeNul(value)))
    return [...(nulFields ?? []), names[c]!]
  }
  const list = (items: ReadonlyArray<string>, c: number, nulFields: Array<string> | undefined): Array<string> | undefined => {
    const start = out.length
    out.byte(123) // {
    let plain = true
    for (let i = 0; plain && i < items.length; i++) {
      if (i > 0) out.byte(44) // ,
      out.byte(QUOTE)
      plain = out.plain(items[i]!, true)
      out.byte(QUOTE)
    }
    if (plain) return void out.byte(125), nulFields // }
    out.length = start
    if (!items.some(hasNul)) return void out.text(copyEscape(arrayLiteral(items))), nulFields
    escapedValues++
    out.text(copyEscape(arrayLiteral(items.map(escapeNul))))
    return [...(nulFields ?? []), names[c]!]
  }
  const encodeRow = (values: ReadonlyArray<ReadonlyArray<unknown>>, records: ReadonlyArray<unknown>, row: number): void => {
    let nulFields: Array<string> | undefined
    for (let c = 0; c < kinds.length; c++) {
      if (c > 0) out.byte(TAB)
      const kind = kinds[c]
      const value = kind === Kind.Json ? jsonText(values[c]![row]) : values[c]![row]
      if (value === null) {
        out.byte(BACKSLASH)
        out.byte(78) // N
      } else if (kind === Kind.Text || kind === Kind.Json) {
        if (!out.plain(value as string, false)) nulFields = general(value as string, c, nulFields)
      } else if (kind === Kind.Int) {
        if (!Number.isSafeInteger(value)) throw new RangeError(`${names[c]}: ${new NotAnInt64(row, value).message} (${describe(records[row])})`)
        out.integer(value as number)
      } else if (kind === Kind.Float) out.text(String(value)) // finite (the decoders refuse others): digits, `.`, `e`
      else if (kind === Kind.Bool) out.byte(value ? 116 : 102) // t, f
      else nulFields = list(value as ReadonlyArray<string>, c, nulFields)
    }
    out.byte(TAB)
    if (nulFields === undefined) {
      out.byte(BACKSLASH)
      out.byte(78)
    } else out.text(copyEscape(arrayLiteral(nulFields)))
    out.byte(NEWLINE)
  }

  return {
    append(records) {
      const values = readers.map((read) => read(records))
      const mark = { full: full.length, length: out.length, fullBytes }
      escapedValues = 0
      try {
        for (let row = 0; row < records.length; row++) {
          encodeRow(values, records, row)
          if (out.length >= CHUNK_BYTES) {
            full.push(out)
            fullBytes += out.length
            out = new RowBuffer(CHUNK_BYTES + (CHUNK_BYTES >> 2))
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
      return escapedValues
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
      out = new RowBuffer(CHUNK_BYTES)
      return chunks
    }
  }
}
