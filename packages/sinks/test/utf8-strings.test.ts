import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Utf8Strings } from "../src/schema/utf8-strings.js"

// Any UTF-16 text: lone surrogates included (written as U+FFFD, as TextEncoder writes them), and
// halves of a pair that a page's joined write would join into one character.
const text = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ maxLength: 20 }),
  fc.constantFrom("", "7322623716778815623", "日本", "🎉🇫🇷", "\ud800", "\udc00", "a\udc00b", "\ud83c")
)
// Pages of any strings, or of ASCII only (the encoder writes a page joined after an ASCII page), with
// runs of one string (provenance columns repeat one a page), nulls and empty strings.
const page = fc.oneof(fc.option(text, { nil: null }), fc.option(fc.string({ maxLength: 20 }), { nil: null }))
  .chain((first) => fc.array(fc.tuple(fc.option(first === null ? text : fc.constant(first), { nil: null }), fc.integer({ min: 1, max: 4 })), { maxLength: 8 }))
  .map((runs) => runs.flatMap(([value, times]) => Array.from({ length: times }, () => value)))
const asciiPage = fc.array(fc.option(fc.string({ maxLength: 20 }), { nil: null }), { maxLength: 12 })

/** What the sinks do with a column's strings: put a page after the ones held (or over some, a page that failed), move the tail to the front (DuckDB's chunks) or start afresh (Parquet's batches). */
const step = fc.oneof(
  fc.record({ put: fc.oneof(page, asciiPage), back: fc.nat(3) }),
  fc.record({ shift: fc.nat(), keep: fc.nat() })
)

describe("Utf8Strings", () => {
  test.prop([fc.array(step, { maxLength: 12 }), fc.nat(12)])(
    "holds each string's UTF-8 as TextEncoder encodes it, in offsets of its strings, page after page",
    (steps, slack) => {
      const strings = new Utf8Strings(slack)
      let held: Array<string | null> = []
      let written = false
      for (const s of steps) {
        if ("put" in s) {
          const at = Math.max(0, held.length - s.back)
          strings.put(s.put, at)
          held = [...held.slice(0, at), ...s.put]
          written = true
        } else {
          const from = held.length === 0 ? 0 : s.shift % (held.length + 1)
          const count = Math.min(s.keep, held.length - from)
          strings.shift(from, count)
          held = held.slice(from, from + count)
        }
        const expected = held.map((value) => new TextEncoder().encode(value ?? ""))
        const offsets = expected.reduce((all, bytes) => [...all, all.at(-1)! + bytes.length], [0])
        expect(Array.from({ length: held.length + 1 }, (_, i) => strings.start(i))).toEqual(offsets)
        if (written) expect([...strings.offsets.subarray(0, held.length + 1)]).toEqual(offsets)
        expect(Buffer.from(strings.bytes.subarray(0, offsets.at(-1))).equals(Buffer.concat(expected))).toBe(true)
        // Room past the last string: DuckDB reads a short string as whole 4-byte words.
        if (written) expect(strings.bytes.length).toBeGreaterThanOrEqual(offsets.at(-1)! + slack)
      }
    }
  )
})
