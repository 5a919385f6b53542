import * as Effect from "effect/Effect"
import type { ArchivedResponse } from "@tikflow/core/internal"
import { describe, expect, test } from "vitest"
import { readApiFixture } from "../../../test/fixtures/api-fixtures.js"
import { endpoints } from "../src/sources/endpoints.js"
import { recordsOfArchived } from "../src/replay/archived-pages.js"

/** An archived video-query response whose `bodyText` counts its reads. */
const archived = (status: number, body: string) => {
  const bytes = Buffer.from(body, "utf8")
  const reads = { bodyText: 0 }
  const response: ArchivedResponse = {
    harvestId: "h",
    epoch: 1,
    pass: 1,
    endpoint: endpoints.videoQuery,
    fields: "id,username",
    request: `{"query":{"and":[{"field_name":"region_code","operation":"IN","field_values":["US"]}]},"start_date":"20240101","end_date":"20240102","max_count":100}`,
    status,
    logId: null,
    receivedAt: Date.parse("2024-01-03T00:00:00Z"),
    body: bytes,
    get bodyText() {
      reads.bodyText++
      return body
    }
  }
  return { response, reads }
}

describe("records of an archived response (replay)", () => {
  test("a page's records come from its bytes, as the client makes them (ids past 2^53 exact, non-ASCII text); its text is not read", async () => {
    const body = readApiFixture("recorded/video_query_unicode_null_bytes.json")
    const { response, reads } = archived(200, body)
    const records = await Effect.runPromise(recordsOfArchived(response, "a.ndjson.gz:1"))
    const wire = (JSON.parse(body.replace(/("id":\s*)(\d+)/g, '$1"$2"')) as { data: { videos: Array<{ id: string; username?: string }> } }).data.videos
    expect(records.map((r) => (r as { id: string }).id)).toEqual(wire.map((v) => v.id))
    expect(records.map((r) => (r as { username: string | null }).username)).toEqual(wire.map((v) => v.username ?? null))
    expect(reads.bodyText).toBe(0)
  })

  test("a response no page was made of fails naming the line, with the body's text in the reason", async () => {
    const { response, reads } = archived(503, "<html>upstream gone</html>")
    const error = await Effect.runPromise(Effect.flip(recordsOfArchived(response, "a.ndjson.gz:7")))
    expect(error.message).toMatch(/^a\.ndjson\.gz:7: an archived HTTP 503 response is no page's \(.*upstream gone/)
    expect(reads.bodyText).toBeGreaterThan(0)
  })
})
