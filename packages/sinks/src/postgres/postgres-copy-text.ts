import type { Column } from "../schema/columns.js"
import { columnValues } from "../schema/column-values.js"
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

export interface CopyRows {
  readonly text: string
  /** Values that held NUL characters and were stored escaped (see postgres-nul.ts). */
  readonly escapedValues: number
}

/**
 * Encodes records as COPY text rows: the columns in order, then the NUL marker, then a write
 * sequence number starting at `firstSequence`. A value of the wrong type is left for the server
 * to refuse (`1.5` into bigint), which fails the whole COPY: nothing of the batch is staged.
 */
export const copyTextEncoder = (columns: ReadonlyArray<Column>) => {
  const readers = columns.map((column) => columnValues(column.name))
  return (records: ReadonlyArray<unknown>, firstSequence: number): CopyRows => {
    const values = readers.map((read) => read(records))
    const lines = new Array<string>(records.length)
    let escapedValues = 0
    for (let row = 0; row < records.length; row++) {
      let line = ""
      let nulFields: Array<string> | undefined
      for (let c = 0; c < columns.length; c++) {
        const value = values[c]![row]
        const column = columns[c]!
        let field: string
        if (value === null) field = "\\N"
        else if (column.type === "utf8") {
          let text = value as string
          if (hasNul(text)) {
            text = escapeNul(text)
            ;(nulFields ??= []).push(column.name)
            escapedValues++
          }
          field = copyEscape(text)
        } else if (column.type === "int64") field = String(value)
        else if (column.type === "bool") field = value ? "t" : "f"
        else {
          let items = value as ReadonlyArray<string>
          if (items.some(hasNul)) {
            items = items.map(escapeNul)
            ;(nulFields ??= []).push(column.name)
            escapedValues++
          }
          field = copyEscape(arrayLiteral(items))
        }
        line += c === 0 ? field : "\t" + field
      }
      lines[row] = `${line}\t${nulFields === undefined ? "\\N" : copyEscape(arrayLiteral(nulFields))}\t${firstSequence + row}\n`
    }
    return { text: lines.join(""), escapedValues }
  }
}
