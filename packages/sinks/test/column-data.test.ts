import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Utf8Builder } from "../src/schema/column-data.js"

// Any UTF-16 text: lone surrogates included (written as U+FFFD, as TextEncoder writes them).
const text = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", "7322623716778815623", "日本", "🎉🇫🇷", "\ud800", "a\udc00b")
)
// Pages with runs of one string (provenance columns repeat one a page) and nulls.
const page = fc.array(fc.tuple(fc.option(text, { nil: null }), fc.integer({ min: 1, max: 4 })), { maxLength: 8 })
  .map((runs) => runs.flatMap(([value, times]) => Array.from({ length: times }, () => value)))

describe("Utf8Builder", () => {
  test.prop([fc.array(page, { maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 })])(
    "holds each value's UTF-8 as TextEncoder encodes it, in offsets of its rows, and its validity bit, across pages and batches",
    (pages, takeAfter) => {
      const builder = new Utf8Builder()
      let rows: Array<string | null> = []
      const check = () => {
        const data = builder.take()
        // A builder that never took a row has no offsets yet (the sinks take no empty batch).
        if (rows.length === 0) return expect(data.length).toBe(0)
        const expected = rows.map((value) => new TextEncoder().encode(value ?? ""))
        expect(data.length).toBe(rows.length)
        expect(data.nullCount).toBe(rows.filter((value) => value === null).length)
        // The validity bits are reused batch after batch: a null after an earlier batch's value reads as null.
        expect(rows.map((_, row) => (data.nullBitmap[row >> 3]! >> (row & 7)) & 1)).toEqual(rows.map((value) => (value === null ? 0 : 1)))
        expect([...data.valueOffsets!]).toEqual(expected.reduce((offsets, bytes) => [...offsets, offsets.at(-1)! + bytes.length], [0]))
        expect(Buffer.from(data.values as Uint8Array).equals(Buffer.concat(expected))).toBe(true)
        rows = []
      }
      pages.forEach((values, p) => {
        builder.append(values)
        rows.push(...values)
        if (takeAfter[p]) check()
      })
      check()
    }
  )
})
