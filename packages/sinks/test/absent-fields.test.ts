import { DuckDBInstance } from "@duckdb/node-api"
import type { AnyRecord, RecordKind } from "@tikflow/core/internal"
import {
  CommentListResponse,
  decodeCommentListResponseSync,
  decodeVideoQueryResponseSync,
  parseLosslessJson,
  recordKinds,
  VideoQueryResponse
} from "@tikflow/core/internal"
import { tableFromIPC } from "apache-arrow"
import { Schema } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readApiFixture } from "../../../test/fixtures/api-fixtures.js"
import { resolveSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { sqlString } from "./support/duckdb-reader.js"
import { startWebhookServer } from "./support/webhook-server.js"

/**
 * Absent is not zero: the API sends zeros and empties explicitly and omits what it withholds (a
 * hidden like count). Recorded responses go through both decoding paths and every built-in sink,
 * and each field read back must be NULL where the API sent nothing, 0 where it sent 0, [] where it
 * sent [] and "" where it sent "".
 */

interface Recorded {
  readonly kind: RecordKind
  readonly stream: string
  /** The records as the API sent them (after the lossless parser). */
  readonly wire: ReadonlyArray<Record<string, unknown>>
  readonly fastPath: ReadonlyArray<AnyRecord>
  readonly schemaPath: ReadonlyArray<AnyRecord>
}

const recordedVideos = (path: string, stream: string): Recorded => {
  const body = parseLosslessJson(readApiFixture(path)) as { data: { videos: Array<Record<string, unknown>> } }
  const slow = Schema.decodeUnknownSync(VideoQueryResponse)(body) as unknown as { data: { videos: ReadonlyArray<AnyRecord> } }
  return { kind: "video", stream, wire: body.data.videos, fastPath: decodeVideoQueryResponseSync(body).records, schemaPath: slow.data.videos }
}

const recordedComments = (path: string): Recorded => {
  const body = parseLosslessJson(readApiFixture(path)) as { data: { comments: Array<Record<string, unknown>> } }
  const slow = Schema.decodeUnknownSync(CommentListResponse)(body) as unknown as { data: { comments: ReadonlyArray<AnyRecord> } }
  return { kind: "comment", stream: "comments", wire: body.data.comments, fastPath: decodeCommentListResponseSync(body).records, schemaPath: slow.data.comments }
}

const recorded: ReadonlyArray<Recorded> = [
  recordedVideos("recorded/video_query_page.json", "videos"),
  recordedVideos("recorded/video_query_unicode_null_bytes.json", "videos_unicode"),
  recordedComments("recorded/comment_list_page.json")
]

/** What a field must read back as: absent → null; otherwise the sent value, ids as decimal text. */
const expectedValue = (wire: Record<string, unknown>, field: string): unknown => {
  const value = field === "id" ? wire.id ?? wire.video_id : wire[field]
  if (value === undefined || value === null) return null
  if (Array.isArray(value)) return value.map((item) => (typeof item === "number" ? String(item) : item))
  if (typeof value === "object") return JSON.stringify(value)
  const idField = field === "id" || field.endsWith("_id")
  return idField && typeof value === "number" ? String(value) : value
}

/** Values as sinks' readers return them, made comparable: bigints as numbers, vectors as arrays. */
const plain = (value: unknown): unknown => {
  if (typeof value === "bigint") return Number(value)
  if (value !== null && typeof value === "object" && typeof (value as { toArray?: unknown }).toArray === "function") {
    return Array.from((value as { toArray(): ArrayLike<unknown> }).toArray(), plain)
  }
  if (Array.isArray(value)) return value.map(plain)
  return value
}

/** Every field of every record read back equals what the API sent, absent fields null. */
const expectStoredAsSent = (set: Recorded, rows: ReadonlyArray<Record<string, unknown>>, where: string) => {
  const fields = recordKinds[set.kind].fields as ReadonlyArray<string>
  const byId = new Map(rows.map((row) => [String(row.id), row]))
  expect(byId.size, `${where}: rows`).toBe(set.wire.length)
  for (const wire of set.wire) {
    const row = byId.get(String(expectedValue(wire, "id")))
    expect(row, `${where}: the record ${String(expectedValue(wire, "id"))}`).toBeDefined()
    for (const field of fields) {
      expect(plain(row![field]), `${where}: ${set.stream}.${field} of ${String(row!.id)}`).toEqual(expectedValue(wire, field))
    }
  }
}

let dir = ""
beforeAll(async () => {
  dir = await tempDir("tikflow-absent-")
})

const writeAll = async (uri: string) => {
  for (const set of recorded) {
    const writer = await resolveSink(uri).open(streamContext(set.kind, { stream: set.stream, harvestId: `h-${set.stream}` }))
    await writer.write({ records: set.fastPath, epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1, `h-${set.stream}`) })
    await writer.close()
  }
}

const duckdbRows = async (database: string, sql: string): Promise<Array<Record<string, unknown>>> => {
  const instance = await DuckDBInstance.create(database, database === ":memory:" ? {} : { access_mode: "READ_ONLY" })
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

describe("absent is not zero: recorded responses, decoded and stored", () => {
  it("the recordings hold all three cases: absent fields, explicit zeros, explicit empties", () => {
    const videos = recorded[0].wire
    expect(videos.filter((v) => v.like_count === undefined)).toHaveLength(1)
    expect(videos.filter((v) => v.effect_ids === undefined)).toHaveLength(26)
    expect(videos.some((v) => v.comment_count === 0)).toBe(true)
    expect(recorded.some((set) => set.wire.some((r) => Array.isArray(r.hashtag_names) && r.hashtag_names.length === 0))).toBe(true)
    expect(recorded[2].wire.some((c) => c.text === "")).toBe(true)
    expect(recorded[2].wire.some((c) => c.reply_count === undefined)).toBe(true)
  })

  it("both decoding paths keep absent fields null and sent zeros and empties as sent", () => {
    for (const set of recorded) {
      expectStoredAsSent(set, set.fastPath as unknown as Array<Record<string, unknown>>, "fast path")
      expectStoredAsSent(set, set.schemaPath as unknown as Array<Record<string, unknown>>, "schema path")
    }
  })

  it("DuckDB", async () => {
    const file = join(dir, "absent.duckdb")
    await writeAll(`duckdb:${file}`)
    for (const set of recorded) expectStoredAsSent(set, await duckdbRows(file, `SELECT * FROM ${set.stream}`), "duckdb")
  })

  it("Parquet, read back by DuckDB", async () => {
    await writeAll(`parquet:${join(dir, "parquet")}`)
    for (const set of recorded) {
      const glob = sqlString(join(dir, "parquet", set.stream, "**", "*.parquet"))
      expectStoredAsSent(set, await duckdbRows(":memory:", `SELECT * FROM read_parquet(${glob})`), "parquet")
    }
  })

  it("NDJSON, read back by DuckDB", async () => {
    await writeAll(`ndjson:${join(dir, "ndjson")}`)
    for (const set of recorded) {
      const file = sqlString(join(dir, "ndjson", `${set.stream}.ndjson`))
      // Ids stay text: DuckDB would otherwise guess numbers for them.
      const rows = await duckdbRows(":memory:", `SELECT * FROM read_json(${file}, format = 'newline_delimited', sample_size = -1)`)
      expectStoredAsSent(set, rows, "ndjson")
      // A field absent from the API is present as null in every line: one stable shape per kind.
      for (const line of readFileSync(join(dir, "ndjson", `${set.stream}.ndjson`), "utf8").trim().split("\n")) {
        expect(Object.keys(JSON.parse(line))).toEqual(recordKinds[set.kind].fields)
      }
    }
  })

  it("Arrow IPC, read back by apache-arrow", async () => {
    await writeAll(`arrow:${join(dir, "arrow")}`)
    for (const set of recorded) {
      const folder = join(dir, "arrow", set.stream)
      const rows = readdirSync(folder).filter((name) => name.endsWith(".arrow")).flatMap((name) =>
        tableFromIPC(readFileSync(join(folder, name))).toArray().map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON())
      )
      expectStoredAsSent(set, rows, "arrow")
    }
  })

  describe("webhook", () => {
    let server: Awaited<ReturnType<typeof startWebhookServer>>
    beforeAll(async () => {
      server = await startWebhookServer(() => ({ status: 200 }))
    })
    afterAll(() => server.close())

    it("the JSON body carries null for absent fields, 0 and [] as sent", async () => {
      await writeAll(`webhook:${server.url}?unsigned=true`)
      for (const set of recorded) {
        const rows = server.received
          .map((request) => JSON.parse(request.body) as { stream: string; records: Array<Record<string, unknown>> })
          .filter((payload) => payload.stream === set.stream)
          .flatMap((payload) => payload.records)
        expectStoredAsSent(set, rows, "webhook")
      }
    })
  })
})
