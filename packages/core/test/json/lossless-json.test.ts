import { readApiFixture } from "../../../../test/fixtures/api-fixtures.js"
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { JsonSyntaxError, parseLosslessJson, parseLosslessJsonBytes, quoteUnsafeIntegers } from "../../src/json/lossless-json.js"

/** A JSON value whose integers may be bigints (written as bare literals, as the API does). */
type Doc = null | boolean | number | string | bigint | ReadonlyArray<Doc> | { readonly [key: string]: Doc }

const write = (doc: Doc, space: string): string => {
  if (typeof doc === "bigint") return doc.toString()
  if (doc === null || typeof doc !== "object") return JSON.stringify(doc)
  if (Array.isArray(doc)) return `[${space}${doc.map((item) => write(item, space)).join(`,${space}`)}${space}]`
  const entries = Object.entries(doc as { readonly [key: string]: Doc })
  return `{${space}${entries.map(([k, v]) => `${JSON.stringify(k)}${space}:${space}${write(v, space)}`).join(`,${space}`)}${space}}`
}

/** What the lossless parser must give back for a document: unsafe bigints as exact strings. */
const expected = (doc: Doc): unknown => {
  if (typeof doc === "bigint") {
    return doc >= BigInt(Number.MIN_SAFE_INTEGER) && doc <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(doc) : doc.toString()
  }
  // A double that prints as a long integer literal is one too, as far as the parser can tell.
  if (typeof doc === "number" && Number.isInteger(doc) && !Number.isSafeInteger(doc) && !/e/.test(String(doc))) {
    return String(doc)
  }
  if (doc === null || typeof doc !== "object") return doc
  if (Array.isArray(doc)) return doc.map(expected)
  return Object.fromEntries(Object.entries(doc as { readonly [key: string]: Doc }).map(([k, v]) => [k, expected(v)]))
}

const id64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 2n ** 53n - 3n, max: 2n ** 53n + 3n }),
  fc.bigInt({ min: 10n ** 19n, max: 10n ** 21n })
)
// Strings full of the characters that could confuse a scanner: digits, quotes, backslashes.
const trickyString = fc.string({
  unit: fc.constantFrom("1", "7", "9", "0", "-", ".", "e", "\"", "\\", " ", ":", ",", "u", "\u0000", "é")
})
const { doc } = fc.letrec<{ doc: Doc }>((tie) => ({
  doc: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.integer(),
    trickyString,
    id64,
    id64.map((n) => n.toString()),
    fc.array(tie("doc"), { maxLength: 5 }),
    fc.dictionary(trickyString, tie("doc"), { maxKeys: 5 })
  )
}))

describe("parseLosslessJson", () => {
  it("keeps every 64-bit id exact, as a bare number or a string, anywhere in a document", () => {
    fc.assert(
      fc.property(doc, fc.constantFrom("", " ", "\n  "), (value, space) => {
        expect(parseLosslessJson(write(value, space))).toEqual(expected(value))
      }),
      { numRuns: 500 }
    )
  })

  it("returns the exact digits of ids embedded in API-like video pages", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(id64, id64, trickyString), { maxLength: 20 }), (rows) => {
        const body = `{"data":{"videos":[${rows
          .map(([id, music, text]) => `{"id":${id},"music_id":"${music}","video_description":${JSON.stringify(text)}}`)
          .join(",")}]},"error":{"code":"ok"}}`
        const parsed = parseLosslessJson(body) as { data: { videos: Array<{ id: unknown; music_id: string; video_description: string }> } }
        parsed.data.videos.forEach((video, i) => {
          const [id, music, text] = rows[i]
          expect(String(video.id)).toBe(id.toString())
          expect(video.music_id).toBe(music.toString())
          expect(video.video_description).toBe(text)
        })
      })
    )
  })

  it("agrees with JSON.parse on any document, except that unsafe integers become strings", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value)
        expect(parseLosslessJson(text)).toEqual(expected(JSON.parse(text) as Doc))
      })
    )
  })

  it("quotes only unsafe integers and leaves floats, exponents and safe integers alone", () => {
    expect(parseLosslessJson("[9007199254740991, 9007199254740992, -9007199254740992, -9007199254740991]")).toEqual([
      9007199254740991,
      "9007199254740992",
      "-9007199254740992",
      -9007199254740991
    ])
    expect(parseLosslessJson("[12345678901234567.5, 1e12345678901234567, 1E-12345678901234567, 0.12345678901234567890]")).toEqual([
      12345678901234567.5,
      Infinity,
      0,
      0.12345678901234567890
    ])
    expect(quoteUnsafeIntegers(`{"a":"12345678901234567890","b":"\\"12345678901234567890"}`)).toBe(
      `{"a":"12345678901234567890","b":"\\"12345678901234567890"}`
    )
    expect(parseLosslessJson(`{"a":"x\\\\","b":73207681965695992750}`)).toEqual({ a: "x\\", b: "73207681965695992750" })
  })

  it("reads the recorded pages' ids exactly, including one that overflows int64", () => {
    const page = parseLosslessJson(
      readApiFixture("recorded/video_query_last_page_edited.json")
    ) as { data: { videos: Array<{ id: string; music_id: string }> } }
    expect(page.data.videos[0].id).toBe("73207681965695992750")
    expect(page.data.videos[0].music_id).toBe("7159460238003800066")
  })

  it("throws a JsonSyntaxError with the position in the original text", () => {
    const bad = `{"id": 7320768196569599275, "x": }`
    try {
      parseLosslessJson(bad)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(JsonSyntaxError)
      expect((error as JsonSyntaxError).position).toBe(bad.indexOf("}"))
      expect((error as JsonSyntaxError).message).toBe('malformed JSON at position 33, near "}"')
    }
    expect(() => parseLosslessJson(`{"id": 7320768196569599275`)).toThrow(
      "malformed JSON: unexpected end of input at position 26"
    )
    expect(() => parseLosslessJson(`{"a": "unterminated 12345678901234567890}`)).toThrow(JsonSyntaxError)
    expect(() => parseLosslessJson("<html>504 Gateway Time-out</html>")).toThrow(
      'malformed JSON at position 0, near "<html>504 Gateway Ti"'
    )
  })

  it("locates the fault of any corrupted document where JSON.parse rejects it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom("", "}", "]", ",", "\"", "x", "-", "1e"), (value, cut, junk) => {
        const text = JSON.stringify(value)
        const broken = text.slice(0, cut % (text.length + 1)) + junk
        let valid = true
        try {
          JSON.parse(broken)
        } catch {
          valid = false
        }
        if (valid) return
        expect(() => parseLosslessJson(broken)).toThrow(JsonSyntaxError)
        try {
          parseLosslessJson(broken)
        } catch (error) {
          const position = (error as JsonSyntaxError).position
          expect(position).toBeGreaterThanOrEqual(0)
          expect(position).toBeLessThanOrEqual(broken.length)
          // The text before the fault is a valid prefix: JSON.parse fails no earlier.
          expect(position).toBeGreaterThanOrEqual(cut % (text.length + 1))
        }
      })
    )
  })
})

/** What parsing gives: the value, or the error's class, message and position. */
const outcomeOf = (parse: () => unknown): unknown => {
  try {
    return { value: parse() }
  } catch (error) {
    return { error: [(error as Error).name, (error as Error).message, (error as JsonSyntaxError).position] }
  }
}

/** Bytes that UTF-8 makes much of: multi-byte sequences, broken ones, quotes and backslashes next to them. */
const trickyByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x22, 0x5c, 0x75, 0x30, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf8, 0xff)
)

describe("parseLosslessJsonBytes", () => {
  const agrees = (bytes: Buffer) => {
    expect(outcomeOf(() => parseLosslessJsonBytes(bytes))).toEqual(outcomeOf(() => parseLosslessJson(bytes.toString("utf8"))))
  }

  it("parses any document's UTF-8 bytes as parseLosslessJson parses their text", () => {
    fc.assert(
      fc.property(doc, fc.constantFrom("", " "), fc.string({ unit: "binary", maxLength: 20 }), (value, space, extra) => {
        // Any code point in strings and keys, lone surrogates included (UTF-8 holds them as U+FFFD).
        agrees(Buffer.from(write({ value, extra, [extra]: value }, space), "utf8"))
      }),
      { numRuns: 500 }
    )
  })

  it("agrees on bytes that are no valid UTF-8 or no valid JSON: the same value or the same error", () => {
    fc.assert(
      fc.property(doc, fc.array(fc.tuple(fc.nat(), fc.array(trickyByte, { minLength: 1, maxLength: 4 })), { maxLength: 4 }), (value, edits) => {
        let bytes = Buffer.from(write({ text: "é😀 \\ x", value }, ""), "utf8")
        for (const [at, inserted] of edits) {
          const cut = at % (bytes.length + 1)
          bytes = Buffer.concat([bytes.subarray(0, cut), Buffer.from(inserted), bytes.subarray(cut)])
        }
        agrees(bytes)
      }),
      { numRuns: 1000 }
    )
  })

  it("reads bytes at any offset of any buffer, escapes and non-ASCII text next to ids included", () => {
    // An escaped backslash before "é" (valid), JSON escapes of non-ASCII, an unsafe id in a list and as a key's value.
    const text = JSON.stringify({ a: "\\é", b: 'x"é', c: ["😀"], d: "\\\\ü" }).replace('["😀"]', '["😀",73207681965695992750,"\\u00e9\\ud83d\\ude00"],"é":-9007199254740993')
    const body = Buffer.from(text, "utf8")
    for (let offset = 0; offset < 8; offset++) {
      const backing = Buffer.alloc(body.length + 16, 0x20)
      body.copy(backing, offset)
      agrees(backing.subarray(offset, offset + body.length))
      expect(parseLosslessJsonBytes(new Uint8Array(backing.buffer, backing.byteOffset + offset, body.length))).toEqual({
        a: "\\é", b: 'x"é', c: ["😀", "73207681965695992750", "é😀"], "é": "-9007199254740993", d: "\\\\ü"
      })
    }
    // A backslash right before non-ASCII text is an invalid escape, and stays one.
    expect(outcomeOf(() => parseLosslessJsonBytes(Buffer.from('["\\é"]', "utf8")))).toEqual({
      error: ["JsonSyntaxError", 'malformed JSON at position 3, near "é\\"]"', 3]
    })
  })
})
