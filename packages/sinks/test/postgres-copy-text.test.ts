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

  const typed: ReadonlyArray<Column> = [
    { name: "n", type: "int64", nullable: true },
    { name: "text", type: "utf8", nullable: true },
    { name: "score", type: "float64", nullable: true },
    { name: "flag", type: "bool", nullable: true },
    { name: "tags", type: "list_utf8", nullable: true },
    { name: "extra", type: "json", nullable: true, added: true }
  ]
  const row = { n: 1, text: "t", score: 1.5, flag: true, tags: ["a"], extra: { a: 1 } }

  test.each([
    ["n", "5", "expected an integer in ±(2^53 - 1), got \"5\""],
    ["text", 42, "expected a string, got 42"],
    ["text", { a: 1 }, "expected a string, got an object"],
    ["text", ["a"], "expected a string, got an array"],
    ["text", 5n, "expected a string, got the bigint 5"],
    ["score", "1.5", "expected a number, got \"1.5\""],
    ["score", "1\n2\t3", "expected a number, got \"1\\n2\\t3\""],
    ["score", [7], "expected a number, got an array"],
    ["score", 5n, "expected a number, got the bigint 5"],
    ["flag", "false", "expected a boolean, got \"false\""],
    ["flag", 0, "expected a boolean, got 0"],
    ["tags", "abc", "expected a list of strings, got \"abc\""],
    ["tags", 5, "expected a list of strings, got 5"],
    ["tags", { a: 1 }, "expected a list of strings, got an object"],
    ["tags", ["a", 5], "expected a list of strings, got 5 in it"],
    ["extra", { a: 5n }, "expected a JSON value, got an object"],
    ["extra", 5n, "expected a JSON value, got the bigint 5"],
    ["extra", () => 1, "expected a JSON value, got a function"],
    ["extra", { [Symbol("s")]: 1 }, "expected a JSON value, got the symbol key Symbol(s) in it"]
  ])("%s = %o is refused in one line naming field and record; nothing of the append stays", (field, value, expected) => {
    const encoder = copyTextEncoder(typed, () => "video 9")
    encoder.append([row])
    const bytes = encoder.bytes
    let message = ""
    try {
      encoder.append([row, { ...row, [field]: value }])
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toBe(`${field}: ${expected} (video 9)`)
    expect([encoder.rows, encoder.bytes]).toEqual([1, bytes])
  })

  test.prop([fc.oneof(fc.double(), fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, 5e-324))])(
    "a float64 is written as text PostgreSQL reads back as the same double, -0 with its sign",
    (score) => {
      const encoder = copyTextEncoder(typed, String)
      encoder.append([{ ...row, score }])
      const [[, , text]] = fieldsOf(encoder.take()) as [[string, string, string]]
      expect(Object.is(Number(text), score)).toBe(true)
    }
  )

  test("a null list element is written as NULL, a string \"NULL\" quoted", () => {
    const encoder = copyTextEncoder(typed, String)
    encoder.append([{ ...row, tags: ["a", null, "NULL", "x\ty"] }])
    expect(fieldsOf(encoder.take())[0]![4]).toBe('{"a",NULL,"NULL","x\\ty"}')
  })
})
