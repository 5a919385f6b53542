import type { Column } from "../schema/columns.js"
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
const BACKSLASH = 92

/**
 * The rows as UTF-8 bytes, written straight into a growing buffer. Plain ASCII values (nearly all)
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
  /** A non-negative safe integer in decimal; anything else as JS prints it (the server refuses `1.5`). */
  integer(value: number): void {
    if (!(Number.isSafeInteger(value) && value >= 0)) return this.text(String(value))
    this.reserve(16)
    const bytes = this.bytes
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
}

export interface CopyRows {
  /** The rows as COPY text, encoded lazily chunk by chunk so the server loads one while the next is encoded. */
  readonly chunks: Iterable<Buffer>
  /** Values that held NUL characters and were stored escaped (see postgres-nul.ts); final once `chunks` is consumed. */
  readonly escapedValues: number
}

const ROWS_PER_CHUNK = 1000

/**
 * Encodes records as COPY text rows: the columns in order, then the NUL marker. A value of the
 * wrong type is left for the server to refuse (`1.5` into bigint), which fails the whole COPY:
 * nothing of the batch is staged.
 */
export const copyTextEncoder = (columns: ReadonlyArray<Column>) => {
  const readers = columns.map((column) => columnValues(column.name))
  const types = columns.map((column) => column.type)
  return (records: ReadonlyArray<unknown>): CopyRows => {
    const values = readers.map((read) => read(records))
    let escapedValues = 0
    let out = new RowBuffer(0)
    const general = (value: string, name: string, nulFields: Array<string> | undefined): Array<string> | undefined => {
      if (!hasNul(value)) return void out.text(copyEscape(value)), nulFields
      escapedValues++
      out.text(copyEscape(escapeNul(value)))
      return [...(nulFields ?? []), name]
    }
    const list = (items: ReadonlyArray<string>, name: string, nulFields: Array<string> | undefined): Array<string> | undefined => {
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
      return [...(nulFields ?? []), name]
    }
    const encodeRows = (from: number, to: number): Buffer => {
      out = new RowBuffer((to - from) * 320)
      for (let row = from; row < to; row++) {
        let nulFields: Array<string> | undefined
        for (let c = 0; c < types.length; c++) {
          if (c > 0) out.byte(TAB)
          const type = types[c]
          const value = type === "json" ? jsonText(values[c]![row]) : values[c]![row]
          if (value === null) {
            out.byte(BACKSLASH)
            out.byte(78) // N
          } else if (type === "utf8" || type === "json") {
            if (!out.plain(value as string, false)) nulFields = general(value as string, columns[c]!.name, nulFields)
          } else if (type === "int64") out.integer(value as number)
          else if (type === "float64") out.text(String(value)) // finite (the decoders refuse others): digits, `.`, `e`
          else if (type === "bool") out.byte(value ? 116 : 102) // t, f
          else nulFields = list(value as ReadonlyArray<string>, columns[c]!.name, nulFields)
        }
        out.byte(TAB)
        if (nulFields === undefined) {
          out.byte(BACKSLASH)
          out.byte(78)
        } else out.text(copyEscape(arrayLiteral(nulFields)))
        out.byte(NEWLINE)
      }
      return out.bytes.subarray(0, out.length)
    }
    return {
      chunks: {
        *[Symbol.iterator]() {
          // Iterated again when a batch goes to staging after all: count its NUL values once.
          escapedValues = 0
          for (let from = 0; from < records.length; from += ROWS_PER_CHUNK) yield encodeRows(from, Math.min(records.length, from + ROWS_PER_CHUNK))
        }
      },
      get escapedValues() {
        return escapedValues
      }
    }
  }
}
