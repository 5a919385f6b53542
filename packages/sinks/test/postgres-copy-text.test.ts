import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { copyTextEncoder } from "../src/postgres/postgres-copy-text.js"
import type { Column } from "../src/schema/columns.js"

const columns: ReadonlyArray<Column> = [
  { name: "n", type: "int64", nullable: true },
  { name: "text", type: "utf8", nullable: true }
]
const fieldsOf = (chunks: ReadonlyArray<Buffer>) =>
  Buffer.concat(chunks).toString("utf8").split("\n").filter((line) => line !== "").map((line) => line.split("\t"))

describe("postgres COPY text encoder", () => {
  test.prop([fc.array(fc.oneof(fc.maxSafeInteger(), fc.maxSafeNat(), fc.integer()), { maxLength: 300 })])(
    "every safe integer is written as its decimal digits",
    (numbers) => {
      const encoder = copyTextEncoder(columns, String)
      encoder.append(numbers.map((n) => ({ n, text: "t" })))
      expect(fieldsOf(encoder.take()).map(([n]) => n)).toEqual(numbers.map((n) => String(Object.is(n, -0) ? 0 : n)))
    }
  )

  test.prop([fc.array(fc.string({ unit: "binary" }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 1500 })], { numRuns: 25 })(
    "a value its column cannot take refuses the whole append, in one line naming field and record; earlier rows stay",
    (texts, before) => {
      const encoder = copyTextEncoder(columns, (record) => `video ${(record as { text: string }).text.length}`)
      // Up to 1,500 rows before (about 320 KB): the append may start in a later chunk than the first.
      encoder.append(Array.from({ length: before }, (_, i) => ({ n: i, text: "x".repeat(200) })))
      const bytes = encoder.bytes
      const records = texts.map((text, i) => ({ n: i === texts.length - 1 ? 1.5 : i, text }))
      expect(() => encoder.append(records)).toThrow(/^n: expected an integer in ±\(2\^53 - 1\), got 1\.5 \(video \d+\)$/)
      expect([encoder.rows, encoder.bytes]).toEqual([before, bytes])
      expect(fieldsOf(encoder.take()).map(([n]) => Number(n))).toEqual(Array.from({ length: before }, (_, i) => i))
    }
  )
})
