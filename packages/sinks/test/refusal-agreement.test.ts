import type { DuckDBConnection } from "@duckdb/node-api"
import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { epochAppender } from "../src/duckdb/duckdb-chunks.js"
import { loadDuckDB, loadVectorBindings } from "../src/duckdb/duckdb-library.js"
import { createTableSql } from "../src/duckdb/duckdb-tables.js"
import { copyTextEncoder } from "../src/postgres/postgres-copy-text.js"
import { columnBatchBuilder } from "../src/schema/column-batch.js"
import { assertJsonValue, columnsOf } from "../src/schema/columns.js"
import { jsonRecordsCheck } from "../src/schema/json-records.js"
import { recordNameOf, shownValue } from "../src/schema/refused-value.js"
import { sampleVideo } from "./support/records.js"

// A value its column cannot hold is refused, never stored changed, and what a column takes is one
// rule (schema/refused-value.ts): the same value gets the same outcome from every typed sink's
// encoder — the Arrow/Parquet column batch, PostgreSQL's COPY text, DuckDB's vectors — and, for a
// json column, from the check NDJSON and the webhook make before writing records as JSON.

const added = ["extra"]
const columns = columnsOf("video", added)
const describeVideo = recordNameOf("video")
const jsonRecords = jsonRecordsCheck("video", added)

/** A field of each column type, and values around what each takes. */
const fields = ["like_count", "video_duration", "is_stem_verified", "hashtag_names", "region_code", "extra"] as const
const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withSparseArray: true })
/** A value inside an object with a symbol-keyed property (JSON drops it), enumerable or not. */
const symbolKeyed = fc.tuple(anything, fc.string({ maxLength: 3 }), fc.boolean()).map(([inner, name, enumerable]) =>
  Object.defineProperty({ inner }, Symbol(name), { value: 1, enumerable })
)
const value = fc.oneof(
  anything,
  symbolKeyed,
  fc.array(symbolKeyed, { maxLength: 2 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 2 ** 64, 1e20, 1.5, -0, Number.NaN, Infinity, "5", "", "1.5", "true"),
  fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer(), fc.constant(undefined)), { maxLength: 3 })
)

/** A value inside an object that holds itself (JSON.stringify throws), at the top or one level down. */
const cyclic = fc.tuple(anything, fc.boolean()).map(([inner, nested]) => {
  const cycle: Record<string, unknown> = { inner }
  cycle.self = nested ? [{ back: cycle }] : cycle
  return nested ? { outer: cycle } : cycle
})

/** "ok", or the refusal's message. */
type Outcome = string
const outcomeOf = (run: () => void): Outcome => {
  try {
    run()
    return "ok"
  } catch (error) {
    return (error as Error).message
  }
}

let connection: DuckDBConnection
let duckdbAdd: (records: ReadonlyArray<unknown>) => Promise<unknown>

beforeAll(async () => {
  const { DuckDBDataChunk, DuckDBInstance } = await loadDuckDB()
  connection = await (await DuckDBInstance.create(":memory:")).connect()
  await connection.run(createTableSql("videos", columns))
  const epoch = epochAppender(columns, { DuckDBDataChunk, vectors: await loadVectorBindings() }, () => connection.createAppender("videos"), recordNameOf("video"))
  duckdbAdd = (records) => epoch.add(records)
})
afterAll(() => connection.closeSync())

describe("what a typed column takes", () => {
  test.prop([fc.constantFrom(...fields), value], { numRuns: 600 })(
    "the same value in the same field is taken or refused alike by Parquet/Arrow, PostgreSQL and DuckDB (a json column's by NDJSON and the webhook too), in the same line naming the column and the record",
    async (field, v) => {
      const record = { ...sampleVideo(1), extra: null, [field]: v }
      const parquet = outcomeOf(() => columnBatchBuilder("video", added).append([record] as never))
      const postgres = outcomeOf(() => copyTextEncoder(columns, describeVideo).append([record]))
      let duckdb: Outcome = "ok"
      await duckdbAdd([record]).catch((error: Error) => (duckdb = error.message))
      expect({ postgres, duckdb }).toEqual({ postgres: parquet, duckdb: parquet })
      if (field === "extra") expect(outcomeOf(() => jsonRecords([record]))).toBe(parquet)
    }
  )

  test.each([
    [{ a: 1, [Symbol("s")]: 2 }, "the symbol key Symbol(s) in it"],
    [[{ b: { [Symbol.for("t")]: "x" } }], "the symbol key Symbol(t) in it"]
  ])("a json value with an enumerable symbol-keyed property (%o), which JSON drops, is refused by every sink: %s", async (v, shown) => {
    const record = { ...sampleVideo(1), extra: v }
    const expected = `extra: expected a JSON value, got ${shown} (video 7000000000000000001)`
    expect(outcomeOf(() => columnBatchBuilder("video", added).append([record] as never))).toBe(expected)
    expect(outcomeOf(() => copyTextEncoder(columns, describeVideo).append([record]))).toBe(expected)
    await expect(duckdbAdd([record])).rejects.toThrow(expected)
    expect(outcomeOf(() => jsonRecords([record]))).toBe(expected)
  })

  test.each([
    [5n, "expected an integer in ±(2^53 - 1), got the bigint 5"],
    ["5", "expected an integer in ±(2^53 - 1), got \"5\""],
    [2 ** 53, "expected an integer in ±(2^53 - 1), got 9007199254740992"],
    [2 ** 60, "expected an integer in ±(2^53 - 1), got 1152921504606847000"],
    [1.5, "expected an integer in ±(2^53 - 1), got 1.5"]
  ])("an int64 of %o is refused by every sink: %s", async (v, message) => {
    const record = { ...sampleVideo(1), extra: null, like_count: v }
    const expected = `like_count: ${message} (video 7000000000000000001)`
    expect(outcomeOf(() => columnBatchBuilder("video", added).append([record] as never))).toBe(expected)
    expect(outcomeOf(() => copyTextEncoder(columns, describeVideo).append([record]))).toBe(expected)
    await expect(duckdbAdd([record])).rejects.toThrow(expected)
  })

  test.each([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -0, 0, null, undefined])("an int64 of %o is taken by every sink", async (v) => {
    const record = { ...sampleVideo(1), extra: null, like_count: v }
    expect(outcomeOf(() => columnBatchBuilder("video", added).append([record] as never))).toBe("ok")
    expect(outcomeOf(() => copyTextEncoder(columns, describeVideo).append([record]))).toBe("ok")
    await expect(duckdbAdd([record])).resolves.toBeUndefined()
  })

  test.each([
    ["like_count", "5"],
    ["video_duration", "5"],
    ["is_stem_verified", "false"],
    ["hashtag_names", "abc"],
    ["region_code", 5],
    ["extra", 5n]
  ])("a refusal of %s in a page's third record names that record, in every sink", async (field, v) => {
    const page = [0, 1, 2].map((i) => ({ ...sampleVideo(i), extra: null, [field]: i === 2 ? v : null }))
    const named = new RegExp(`^${field}: expected .* \\(video 7000000000000000002\\)$`)
    expect(outcomeOf(() => columnBatchBuilder("video", added).append(page as never))).toMatch(named)
    expect(outcomeOf(() => copyTextEncoder(columns, describeVideo).append(page))).toMatch(named)
    await expect(duckdbAdd(page)).rejects.toThrow(named)
  })

  test.prop([fc.oneof(value, cyclic, fc.array(cyclic, { maxLength: 2 }))], { numRuns: 400 })(
    "a json value is refused whole exactly where JSON.stringify throws or writes nothing, and otherwise stringifies",
    (v) => {
      let text: string | undefined
      const stringified = outcomeOf(() => (text = JSON.stringify(v)))
      const refusal = outcomeOf(() => assertJsonValue(v))
      const whole = `expected a JSON value, got ${shownValue(v)}`
      if (v === null || v === undefined) expect(refusal).toBe("ok")
      else if (stringified !== "ok" || text === undefined) expect(refusal).toBe(whole)
      else expect(refusal === "ok" || refusal.endsWith(" in it")).toBe(true)
    }
  )
})
