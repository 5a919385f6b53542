import { recordKinds } from "@tikflow/core/internal"
import type { RecordKind } from "@tikflow/core/internal"
import { fc, test } from "@fast-check/vitest"
import { tableFromIPC, tableToIPC, Table } from "apache-arrow"
import type { RecordBatch } from "apache-arrow"
import { describe, expect } from "vitest"
import { arrowSchemaFor, columnBatchBuilder, columnsOf, toArrowRecordBatch, toRecordBatch } from "../src/internal.js"
import { cellOf } from "./support/arrow-cells.js"
import { sampleVideo, uniqueRecords, videoArb } from "./support/records.js"

describe("toRecordBatch", () => {
  for (const kind of Object.keys(recordKinds) as Array<RecordKind>) {
    test.prop([uniqueRecords(kind, recordKinds[kind].keyOf as never)])(`${kind}: round-trips through Arrow IPC`, (records) => {
      const batch = toRecordBatch(kind, records as never)
      expect(batch.numRows).toBe(records.length)
      expect(batch.schema.fields.map(String)).toEqual(arrowSchemaFor(kind).fields.map(String))
      const table = tableFromIPC(tableToIPC(new Table([batch]), "stream"))
      const columns = columnsOf(kind)
      const back = Array.from({ length: table.numRows }, (_, i) =>
        Object.fromEntries(columns.map((c) => [c.name, cellOf(table.getChild(c.name)!, i)]))
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

/** A batch's rows read back through Arrow IPC, in the records' shape (provenance columns included). */
const rowsOf = (batch: RecordBatch, provenance: boolean) => {
  const table = tableFromIPC(tableToIPC(new Table([batch]), "stream"))
  const columns = columnsOf("video", [], provenance)
  return Array.from({ length: table.numRows }, (_, i) =>
    Object.fromEntries(columns.map((c) => [c.name, cellOf(table.getChild(c.name)!, i)]))
  )
}

describe("columnBatchBuilder", () => {
  // The Parquet sink appends each page as it arrives and takes a batch every 8,192 rows, reusing
  // the builder's buffers: any split into pages and batches must give back exactly the records.
  test.prop([
    fc.array(fc.array(videoArb, { maxLength: 12 }), { maxLength: 8 }),
    fc.array(fc.boolean(), { minLength: 8, maxLength: 8 })
  ])("pages appended in any sizes, batches taken between any of them, give back every record in order", (pages, finishAfter) => {
    const builder = columnBatchBuilder("video", [], true)
    const batches: Array<RecordBatch> = []
    const expected: Array<Array<unknown>> = [[]]
    pages.forEach((page, p) => {
      // Provenance as the runner sets it: one string per page, shared by its records (the repeat path).
      const fetchedAt = `2026-01-01T00:00:0${p % 10}.000Z`
      const records = page.map((video) => ({ ...video, _harvest_id: "videos-1", _fetched_at: fetchedAt, _log_id: p % 3 === 0 ? null : `log-${p}` }))
      builder.append(records)
      expected[expected.length - 1].push(...records)
      if (finishAfter[p]) {
        expect(builder.rows).toBe(expected[expected.length - 1].length)
        batches.push(toArrowRecordBatch(builder.finish()))
        expected.push([])
      }
    })
    batches.push(toArrowRecordBatch(builder.finish()))
    expect(builder.rows).toBe(0)
    expect(batches.map((batch) => rowsOf(batch, true))).toEqual(expected)
  })

  test("a string that begins with U+FEFF is stored whole (apache-arrow's own decoding drops it: read through cellOf)", () => {
    const builder = columnBatchBuilder("video")
    const video = { ...sampleVideo(1), video_description: "\ufeff", username: "\ufeffname", hashtag_names: ["\ufeff", "a\ufeff"] }
    builder.append([video])
    const batch = toArrowRecordBatch(builder.finish())
    expect(rowsOf(batch, false)).toEqual([video])
    expect(batch.getChild("video_description")!.get(0)).toBe("")
  })

  test("a page with a count an int64 cannot hold is refused whole: the batch holds only the pages before it", () => {
    const builder = columnBatchBuilder("video")
    const good = [sampleVideo(1), sampleVideo(2)]
    builder.append(good)
    const bad = [sampleVideo(3), { ...sampleVideo(4), like_count: 1.5 }]
    expect(() => builder.append(bad)).toThrow(`like_count: expected an integer in ±(2^53 - 1), got 1.5 (video ${bad[1].id})`)
    expect(builder.rows).toBe(2)
    builder.append([sampleVideo(5)])
    expect(rowsOf(toArrowRecordBatch(builder.finish()), false)).toEqual([...good, sampleVideo(5)])
  })

  test.each<[string, unknown, string]>([
    // A Float64Array takes these as NaN, 0, 15.2 and 1.
    ["video_duration", "abc", 'expected a number, got "abc"'],
    ["video_duration", "", 'expected a number, got ""'],
    ["video_duration", "15.2", 'expected a number, got "15.2"'],
    ["video_duration", true, "expected a number, got true"],
    // The strings' bytes were sized by `.length`: a number made the page's every string "".
    ["username", 7, "expected a string, got 7"],
    ["username", { a: 1 }, "expected a string, got an object"],
    ["username", ["x"], "expected a string, got an array"],
    // "abc" was ["a", "b", "c"], 7 an empty list, [1, "x"] made the page's every item "".
    ["hashtag_names", "abc", 'expected a list of strings, got "abc"'],
    ["hashtag_names", 7, "expected a list of strings, got 7"],
    ["hashtag_names", [1, "x"], "expected a list of strings, got 1 in it"],
    // "false" was stored as false by Parquet and as true by DuckDB.
    ["is_stem_verified", "false", 'expected a boolean, got "false"'],
    ["is_stem_verified", 0, "expected a boolean, got 0"]
  ])("a page with a %s its column cannot hold as it is (%o) is refused whole, naming the column and the record", (field, value, message) => {
    const builder = columnBatchBuilder("video")
    builder.append([sampleVideo(1)])
    const bad = [sampleVideo(2), { ...sampleVideo(3), [field]: value as never }]
    expect(() => builder.append(bad)).toThrow(`${field}: ${message} (video ${bad[1].id})`)
    expect(builder.rows).toBe(1)
    builder.append([sampleVideo(4)])
    expect(rowsOf(toArrowRecordBatch(builder.finish()), false)).toEqual([sampleVideo(1), sampleVideo(4)])
  })

  test.each<[unknown, string]>([
    // A bigint or a cycle threw JSON.stringify's own error, naming nothing; a function was stored null.
    [{ a: 5n }, "expected a JSON value, got an object"],
    [5n, "expected a JSON value, got the bigint 5"],
    [() => 1, "expected a JSON value, got a function"],
    // NaN and ±Infinity have no JSON number: JSON.stringify stored them null, silently.
    [{ score: NaN }, "expected a JSON value, got NaN in it"],
    [[1, [2, { x: -Infinity }]], "expected a JSON value, got -Infinity in it"],
    [Infinity, "expected a JSON value, got Infinity in it"],
    [{ toJSON: () => ({ n: NaN }) }, "expected a JSON value, got NaN in it"],
    // Stored changed, silently: a function or symbol inside was dropped (null in an array), a Map or Set written {}.
    [{ a: 1, f: () => 1 }, "expected a JSON value, got a function in it"],
    [[1, Symbol("s")], "expected a JSON value, got Symbol(s) in it"],
    [{ tags: new Set(["a"]) }, "expected a JSON value, got a Set in it"],
    [new Map([["a", 1]]), "expected a JSON value, got a Map in it"],
    // A boxed NaN was written null as NaN is; a boxed bigint threw as a bigint does.
    [{ n: Object(NaN) }, "expected a JSON value, got NaN in it"],
    [[Object(5n)], "expected a JSON value, got an array"],
    // A symbol-keyed property was dropped, silently.
    [{ a: 1, [Symbol("s")]: 2 }, "expected a JSON value, got the symbol key Symbol(s) in it"],
    [[1, { b: [{ [Symbol.iterator]: null }] }], "expected a JSON value, got the symbol key Symbol(Symbol.iterator) in it"]
  ])("an added field's value JSON cannot hold (%o) is refused, naming the column and the record", (value, message) => {
    const builder = columnBatchBuilder("video", ["extra"])
    const bad = [{ ...sampleVideo(2), extra: 1 }, { ...sampleVideo(3), extra: value }]
    expect(() => builder.append(bad as never)).toThrow(`extra: ${message} (video ${bad[1]!.id})`)
    expect(builder.rows).toBe(0)
  })

  test("an added field's undefined property or element reads back absent or null, as JSON has it, a Date as its text, a non-enumerable symbol-keyed property not at all", () => {
    const builder = columnBatchBuilder("video", ["extra"])
    const extra = { a: undefined, list: [1, undefined], at: new Date(Date.UTC(2024, 0, 2)) }
    Object.defineProperty(extra, Symbol("hidden"), { value: 1, enumerable: false })
    builder.append([{ ...sampleVideo(1), extra } as never])
    const table = tableFromIPC(tableToIPC(new Table([toArrowRecordBatch(builder.finish())]), "stream"))
    expect(table.getChild("extra")!.get(0)).toBe('{"list":[1,null],"at":"2024-01-02T00:00:00.000Z"}')
  })
})

describe("values stored changed", () => {
  /** A column of a builder's batch, read back through Arrow IPC. */
  const columnOf = (batch: ReturnType<ReturnType<typeof columnBatchBuilder>["finish"]>, name: string): Array<unknown> => {
    const table = tableFromIPC(tableToIPC(new Table([toArrowRecordBatch(batch)]), "stream"))
    const column = table.getChild(name)!
    return Array.from({ length: table.numRows }, (_, i) => cellOf(column, i))
  }
  // Strings with lone surrogates among ASCII and other non-ASCII text, in pages of any size.
  const piece = fc.constantFrom("a", "é", "😀", "\ud800", "\udfff", "\ud83d", "", "z\u0000")
  const text = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(""))
  const page = fc.array(fc.option(text, { nil: null }), { minLength: 1, maxLength: 20 })

  test.prop([fc.array(page, { minLength: 1, maxLength: 5 })])(
    "a utf8 column counts each string that is not well-formed, and stores its toWellFormed()",
    (pages) => {
      const builder = columnBatchBuilder("video", ["extra"])
      let id = 0
      const stored: Array<string | null> = []
      for (const values of pages) {
        const records = values.map((value) => ({ ...sampleVideo(++id), video_description: value }))
        const changes = builder.append(records as never) ?? []
        const notWellFormed = values.filter((value) => value !== null && !(value as unknown as { isWellFormed(): boolean }).isWellFormed()).length
        expect(changes).toEqual(notWellFormed === 0 ? [] : [{ column: "video_description", reason: "lone-surrogate", count: notWellFormed }])
        stored.push(...values.map((value) => value === null ? null : (value as unknown as { toWellFormed(): string }).toWellFormed()))
      }
      expect(columnOf(builder.finish(), "video_description")).toEqual(stored)
    }
  )

  test("a list column counts its elements one by one; an added field's JSON text keeps a lone surrogate escaped (nothing changed)", () => {
    const builder = columnBatchBuilder("video", ["extra"])
    const changes = builder.append([
      { ...sampleVideo(1), hashtag_names: ["ok", "a\ud800", "\udc00b"], extra: { note: "x\ud800" } },
      { ...sampleVideo(2), hashtag_names: ["é\ud800"], extra: null }
    ] as never)
    expect(changes).toEqual([{ column: "hashtag_names", reason: "lone-surrogate", count: 3 }])
    const batch = builder.finish()
    expect(columnOf(batch, "hashtag_names")).toEqual([["ok", "a\ufffd", "\ufffdb"], ["é\ufffd"]])
    expect(JSON.parse(columnOf(batch, "extra")[0] as string)).toEqual({ note: "x\ud800" })
  })
})
