import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import type { RawResponse } from "../../src/internal.js"
import { archiveLine, parseArchiveLine } from "../../src/internal.js"

/**
 * An archive line escapes the body's bytes itself (no decode, re-escape, encode round trip): it
 * must be byte for byte what `JSON.stringify` makes of the decoded text, and read back whole.
 */

const responseOf = (body: Uint8Array, logId: string | null): RawResponse => ({
  endpoint: "/v2/research/video/query/",
  fields: "id,create_time",
  request: "{\"cursor\":100,\"query\":{\"and\":[]}}",
  status: 200,
  logId,
  receivedAt: Date.UTC(2026, 10, 29, 12, 0, 0, 123),
  body
})

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
    const back = parseArchiveLine(line.toString("utf8").trimEnd(), "x:1")
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
    const line = archiveLine("videos-1", 3, 2, responseOf(body, null)).toString("utf8")
    expect(JSON.parse(line)).toMatchObject({ body: null, body_base64: Buffer.from(body).toString("base64") })
    expect([...parseArchiveLine(line.trimEnd(), "x:1").body]).toEqual([...body])
  })
})
