import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { apiSnippet, oneLine } from "../../src/errors/one-line.js"

describe("oneLine", () => {
  it("joins a message's lines with one space and keeps spacing within a line", () => {
    expect(oneLine("  disk full:\n\t  /data/part-1.parquet\r\n(ENOSPC)  ")).toBe("disk full: /data/part-1.parquet (ENOSPC)")
    expect(oneLine("a  b\tc")).toBe("a  b\tc")
  })

  it("has no line break, and only a text past `max` is cut, with an ellipsis", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", " ", "\n", "\r", "\t", "é") }), fc.integer({ min: 1, max: 40 }), (text, max) => {
        const line = oneLine(text, max)
        expect(line).not.toMatch(/[\r\n]/)
        const whole = oneLine(text)
        expect(line).toBe(whole.length > max ? whole.slice(0, max) + "…" : whole)
      })
    )
  })

  it("shows text from the API in at most 120 characters", () => {
    expect(apiSnippet("<html>\n  <body>" + "x".repeat(200))).toBe("<html> <body>" + "x".repeat(107) + "…")
  })
})
