import { recordKinds } from "@tikflow/core/internal"
import type { RecordKind } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { tableFromIPC, tableToIPC, Table } from "apache-arrow"
import { describe, expect } from "vitest"
import { arrowSchemaFor, columnsOf, toRecordBatch } from "../src/internal.js"
import { sampleVideo, uniqueRecords } from "./support/records.js"

/** Reads a column value back into the record's JS shape. */
const fromArrow = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "object" && value !== null && "toArray" in value) return [...(value as { toArray(): Iterable<unknown> }).toArray()]
  return value
}

describe("toRecordBatch", () => {
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    test.prop([uniqueRecords(kind, recordKinds[kind].keyOf as never)])(`${kind}: round-trips through Arrow IPC`, (records) => {
      const batch = toRecordBatch(kind, records as never)
      expect(batch.numRows).toBe(records.length)
      expect(batch.schema.fields.map(String)).toEqual(arrowSchemaFor(kind).fields.map(String))
      const table = tableFromIPC(tableToIPC(new Table([batch]), "stream"))
      const columns = columnsOf(kind)
      const back = Array.from({ length: table.numRows }, (_, i) =>
        Object.fromEntries(columns.map((c) => [c.name, fromArrow(table.getChild(c.name)!.get(i))]))
      )
      expect(back).toEqual(records)
    })
  }

  test("keys are non-nullable, other fields nullable, lists are list<utf8>", () => {
    const schema = arrowSchemaFor("social_user")
    expect(schema.fields.filter((f) => !f.nullable).map((f) => f.name).sort()).toEqual(["of_username", "relation", "username"])
    expect(String(arrowSchemaFor("video").fields.find((f) => f.name === "hashtag_names")!.type)).toBe("List<Utf8>")
    expect(String(arrowSchemaFor("video").fields.find((f) => f.name === "view_count")!.type)).toBe("Int64")
    // Durations have fractions (15.2 s): an int64 column would truncate them.
    expect(String(arrowSchemaFor("video").fields.find((f) => f.name === "video_duration")!.type)).toBe("Float64")
  })

  test.each([1.5, 1e20, 2 ** 63, -(2 ** 60)])("a count an int64 cannot hold exactly (%s) is refused, naming field and record, never wrapped", (count) => {
    const records = [sampleVideo(1), { ...sampleVideo(2), view_count: count }]
    expect(() => toRecordBatch("video", records)).toThrow(`view_count: expected an integer in ±(2^53 - 1), got ${String(count)} (video ${records[1].id})`)
  })
})
