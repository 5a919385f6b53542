import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import type { RawResponse } from "../../src/internal.js"
import { archiveLine, archiveLinePieces, parseArchiveLine } from "../../src/internal.js"

/**
 * A body the client parsed as JSON is embedded in its line as is (format 2): the line is JSON whose
 * `body` is that document, and reads back to the body's exact bytes. Any other body is escaped (no
 * decode, re-escape, encode round trip): byte for byte what `JSON.stringify` makes of the decoded
 * text (format 1, every line written before format 2), and read back whole.
 */

const responseOf = (body: Uint8Array, logId: string | null, bodyIsJson?: boolean): RawResponse => ({
  endpoint: "/v2/research/video/query/",
  fields: "id,create_time",
  request: "{\"cursor\":100,\"query\":{\"and\":[]}}",
  status: 200,
  logId,
  receivedAt: Date.UTC(2026, 10, 29, 12, 0, 0, 123),
  body,
  ...(bodyIsJson === undefined ? {} : { bodyIsJson })
})

const bytesOf = (line: Buffer) => line.subarray(0, line.length - 1)

const viaJson = (response: RawResponse, text: string) =>
  `${JSON.stringify({
    harvest_id: "videos-1",
    epoch: 3,
    pass: 2,
    endpoint: response.endpoint,
    fields: response.fields,
    request: response.request,
    status: response.status,
    log_id: response.logId,
    received_at: new Date(response.receivedAt).toISOString(),
    body: text
  })}\n`

describe("archive lines", () => {
  test.prop([
    // Through UTF-8 and back: lone surrogates (which no UTF-8 body holds) become U+FFFD.
    fc.string({ unit: "binary", maxLength: 300 }).map((s) => Buffer.from(s, "utf8").toString("utf8")),
    fc.option(fc.string({ maxLength: 20 }))
  ])("a UTF-8 body's line is the bytes JSON.stringify makes of its text, and reads back to the same response", (text, logId) => {
    const body = Buffer.from(text, "utf8")
    const response = responseOf(body, logId)
    const line = archiveLine("videos-1", 3, 2, response)
    expect(line.toString("utf8")).toBe(viaJson(response, text))
    const back = parseArchiveLine(bytesOf(line), "x:1")
    expect(back.bodyText).toBe(text)
    expect(Buffer.compare(back.body, body)).toBe(0)
    expect([back.epoch, back.pass, back.logId, back.receivedAt]).toEqual([3, 2, logId, response.receivedAt])
  })

  test("every control character, quotes and backslashes are escaped as JSON.stringify escapes them", () => {
    const text = `${Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join("")}"\\/\u007f é 😀 \u2028`
    const response = responseOf(Buffer.from(text, "utf8"), "LOG1")
    expect(archiveLine("videos-1", 3, 2, response).toString("utf8")).toBe(viaJson(response, text))
  })

  test("a body too large for the reused buffer (over 4 MiB escaped at worst) gets one of its own, same bytes", () => {
    const text = `{"text":"${"q\"\\é\n".repeat(200_000)}"}`
    const response = responseOf(Buffer.from(text, "utf8"), "LOG2")
    expect(archiveLine("videos-1", 3, 2, response).toString("utf8")).toBe(viaJson(response, text))
    const small = responseOf(Buffer.from("{}", "utf8"), null)
    expect(archiveLine("videos-1", 3, 2, small).toString("utf8")).toBe(viaJson(small, "{}"))
  })

  test("a body that is not UTF-8 is kept as base64 and reads back byte for byte", () => {
    const body = Uint8Array.from([0x7b, 0xff, 0xfe, 0x22, 0x7d])
    for (const bodyIsJson of [false, true]) {
      const line = archiveLine("videos-1", 3, 2, responseOf(body, null, bodyIsJson))
      expect(JSON.parse(line.toString("utf8"))).toMatchObject({ body: null, body_base64: Buffer.from(body).toString("base64") })
      expect([...parseArchiveLine(bytesOf(line), "x:1").body]).toEqual([...body])
    }
  })

  // Head fields that hold what the reader looks for (`,"body":`, quotes, backslashes, line breaks).
  const tricky = fc.constantFrom("id", ',"body":', '\\",\"body\":', "a\\", "é\n\u2028")
  const jsonBody = fc.tuple(fc.json(), fc.constantFrom("", " ", "\t")).map(([text, pad]) => `${pad}${text}${pad}`)

  test.prop([jsonBody, fc.option(fc.string({ maxLength: 20 })), tricky, tricky])(
    "a JSON body the client parsed is embedded as is (format 2): the line is JSON with that body, and reads back to its exact bytes",
    (text, logId, fields, request) => {
      const body = Buffer.from(text, "utf8")
      const response = { ...responseOf(body, logId, true), fields, request }
      const line = archiveLine("videos-1", 3, 2, response)
      expect(line.subarray(0, 7).toString()).toBe('{"v":2,')
      expect(line.subarray(line.length - body.length - 2).equals(Buffer.concat([body, Buffer.from("}\n")]))).toBe(true)
      const { v, body_bytes, body: parsedBody, ...head } = JSON.parse(line.toString("utf8")) as Record<string, unknown>
      expect([v, body_bytes]).toEqual([2, body.length])
      expect(parsedBody).toEqual(JSON.parse(text))
      const { body: _, ...format1Head } = JSON.parse(viaJson(response, "")) as Record<string, unknown>
      expect(head).toEqual(format1Head)
      const back = parseArchiveLine(bytesOf(line), "x:1")
      expect(Buffer.compare(back.body, body)).toBe(0)
      expect(back.bodyText).toBe(text)
      // The same response as a format 1 line (an older tikflow's) reads back to the same thing.
      expect(parseArchiveLine(Buffer.from(viaJson(response, text).trimEnd()), "x:1")).toEqual(back)
    }
  )

  test.prop([jsonBody, fc.boolean()])(
    "a line's pieces are its bytes in order; a format 2 line's body piece is the response's own bytes, not a copy",
    (text, bodyIsJson) => {
      const body = Buffer.from(text, "utf8")
      const response = responseOf(body, "L", bodyIsJson)
      const pieces = archiveLinePieces("videos-1", 3, 2, response)
      expect(Buffer.concat(pieces).equals(archiveLine("videos-1", 3, 2, response))).toBe(true)
      expect(pieces.includes(body)).toBe(bodyIsJson)
    }
  )

  test("a body the client did not parse, or one with a line break, an empty one: escaped as format 1", () => {
    const cases: Array<[string, boolean | undefined]> = [
      ['{"a":1}', undefined],
      ['{"a":1}', false],
      ['{"a":\n1}', true],
      ['{"a":\r1}', true],
      ["", true]
    ]
    for (const [text, bodyIsJson] of cases) {
      const response = responseOf(Buffer.from(text, "utf8"), "L", bodyIsJson)
      const line = archiveLine("videos-1", 3, 2, response)
      expect(line.toString("utf8")).toBe(viaJson(response, text))
      expect(parseArchiveLine(bytesOf(line), "x:1").bodyText).toBe(text)
    }
  })

  test("a line of an unknown format, or a format 2 line cut short, fails in one line naming file:line and the field", () => {
    const line = archiveLine("videos-1", 3, 2, responseOf(Buffer.from('{"a":[1,2]}'), "L", true))
    const later = Buffer.from(line.toString("utf8").replace('{"v":2,', '{"v":3,').trimEnd())
    expect(() => parseArchiveLine(later, "f.ndjson.gz:7")).toThrow("f.ndjson.gz:7: v: expected archive line format 1 or 2 (a newer tikflow wrote this archive)")
    expect(() => parseArchiveLine(line.subarray(0, line.length - 2), "f.ndjson.gz:8")).toThrow(/^f\.ndjson\.gz:8: body_bytes: expected the body's length in bytes \(the line holds 10\)$/)
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(line.toString("utf8")), null, 1).replace(/\n/g, ""))
    expect(() => parseArchiveLine(reformatted, "f.ndjson.gz:9")).toThrow(/^f\.ndjson\.gz:9: line: expected format 2 as tikflow writes it/)
  })
})
