import type { DuckDBConnection } from "@duckdb/node-api"
import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { epochAppender } from "../src/duckdb/duckdb-chunks.js"
import { loadDuckDB, loadVectorBindings } from "../src/duckdb/duckdb-library.js"
import type { OracleRow } from "./support/duckdb-oracle.js"
import { appendValueByValue, describeRow, oracleColumns, oracleDdl, readBack } from "./support/duckdb-oracle.js"

// The epoch appender writes DuckDB's vectors in bulk (typed arrays, validity bits, one native
// string per column). The oracle is node-api's own value-by-value path (DuckDBDataChunkWriter,
// as the sink appended before): the same records must give the same table, value for value.

// Strings of any UTF-16 (lone surrogates, NUL), around the 12 bytes DuckDB keeps inline.
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("", "\u0000", "twelve bytes", "thirteen byte", "elevenbytes\u00e9", "🎉🎉🎉", "\ud800")
)
// What an int64 column takes (refused-value.ts): the safe integers, negative ones and -0 included.
const int64 = fc.oneof(
  fc.integer(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2 ** 32, -(2 ** 32), -1, 0, -0)
)
const rowArb: fc.Arbitrary<OracleRow> = fc.record(
  {
    s: fc.option(text, { nil: null }),
    i: fc.option(int64, { nil: null }),
    f: fc.option(fc.double(), { nil: null }),
    b: fc.option(fc.boolean(), { nil: null }),
    l: fc.option(fc.array(fc.option(text, { nil: null }), { maxLength: 5 }), { nil: null }),
    j: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: null })
  },
  { requiredKeys: [] }
)

/** Pages cut from `rows` repeated, so runs cross 2,048-row chunks at any point of a page. */
const pagesArb = fc
  .tuple(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 5 }))
  .map(([rows, sizes]) => {
    let next = 0
    return sizes.map((size) => Array.from({ length: size }, () => rows[next++ % rows.length]!))
  })

let connection: DuckDBConnection
let tables = 0

beforeAll(async () => {
  const { DuckDBInstance } = await loadDuckDB()
  connection = await (await DuckDBInstance.create(":memory:")).connect()
})
afterAll(() => connection.closeSync())

const appendWithEpochAppender = async (table: string, pages: ReadonlyArray<ReadonlyArray<OracleRow>>) => {
  const { DuckDBDataChunk } = await loadDuckDB()
  const epoch = epochAppender(oracleColumns, { DuckDBDataChunk, vectors: await loadVectorBindings() }, () => connection.createAppender(table), describeRow)
  for (const page of pages) await epoch.add(page)
  epoch.finish()
}

describe("duckdb epoch appender", () => {
  test.prop([pagesArb], { numRuns: 25 })("gives the table node-api's value-by-value chunks give, value for value", async (pages) => {
    const n = ++tables
    await connection.run(`${oracleDdl(`bulk${n}`)}; ${oracleDdl(`values${n}`)}`)
    await appendWithEpochAppender(`bulk${n}`, pages)
    await appendValueByValue(connection, `values${n}`, pages.flat())
    const [bulk, values] = [await readBack(connection, `bulk${n}`), await readBack(connection, `values${n}`)]
    expect(bulk.length).toBe(pages.flat().length)
    expect(bulk).toEqual(values)
  })

  test("a chunk without nulls after one with them keeps every value (the reused chunk's validity starts clear)", async () => {
    const n = ++tables
    await connection.run(`${oracleDdl(`bulk${n}`)}; ${oracleDdl(`values${n}`)}`)
    const nulls: OracleRow = { s: null, i: null, f: null, b: null, l: [null, "x", null], j: null }
    const full = (k: number): OracleRow => ({ s: `string number ${k}`, i: k, f: k / 2, b: k % 2 === 0, l: [`${k}`, "thirteen bytes"], j: { k } })
    const pages = [Array.from({ length: 2048 }, () => nulls), Array.from({ length: 2048 + 7 }, (_, k) => full(k))]
    await appendWithEpochAppender(`bulk${n}`, pages)
    await appendValueByValue(connection, `values${n}`, pages.flat())
    const [bulk, values] = [await readBack(connection, `bulk${n}`), await readBack(connection, `values${n}`)]
    expect(bulk.slice(2048).every((row) => row.every((value) => value !== null))).toBe(true)
    expect(bulk).toEqual(values)
  })

  test("epoch after epoch, one data chunk is filled (none left per epoch for a full GC to free) and each epoch's rows are its own", async () => {
    const n = ++tables
    await connection.run(`${oracleDdl(`bulk${n}`)}; ${oracleDdl(`values${n}`)}`)
    const { DuckDBDataChunk } = await loadDuckDB()
    let created = 0
    const counting = { create: (...args: Parameters<typeof DuckDBDataChunk.create>) => (created++, DuckDBDataChunk.create(...args)) } as unknown as typeof DuckDBDataChunk
    const epoch = epochAppender(oracleColumns, { DuckDBDataChunk: counting, vectors: await loadVectorBindings() }, () => connection.createAppender(`bulk${n}`), describeRow)
    const pages = [0, 1, 2].map((e) => Array.from({ length: 2048 + 100 * e }, (_, k): OracleRow => ({ s: `epoch ${e} row ${k}`, i: k, l: [`${e}`] })))
    for (const page of pages) {
      await epoch.add(page)
      epoch.finish()
    }
    await appendValueByValue(connection, `values${n}`, pages.flat())
    expect(created).toBe(1)
    expect(await readBack(connection, `bulk${n}`)).toEqual(await readBack(connection, `values${n}`))
  })

  test("a list's absent element (a hole or undefined) is stored null, as node-api's list value makes it", async () => {
    const table = `holes${++tables}`
    await connection.run(oracleDdl(table))
    const { DuckDBDataChunk } = await loadDuckDB()
    const epoch = epochAppender(oracleColumns, { DuckDBDataChunk, vectors: await loadVectorBindings() }, () => connection.createAppender(table), describeRow)
    await epoch.add([{ l: [, "a"] }, { l: [undefined, "b", null] }])
    epoch.finish()
    expect((await readBack(connection, table)).map((row) => row[4])).toEqual([[null, "a"], [null, "b", null]])
  })

  test.each<[string, OracleRow]>([
    ["i", { i: 1.5 }],
    ["i", { i: 2n ** 63n }],
    ["i", { i: 2 ** 63 }],
    ["i", { i: 2 ** 53 }],
    ["i", { i: 5n }],
    ["i", { i: "5" }],
    ["i", { i: "x" }],
    ["s", { s: 5 }],
    ["l", { l: "abc" }],
    ["l", { l: ["a", 1] }],
    ["f", { f: 1n }],
    // A typed array would take these as NaN, 0 and 1.
    ["f", { f: "abc" }],
    ["f", { f: "" }],
    ["f", { f: true }],
    // Stored as true and false.
    ["b", { b: "false" }],
    ["b", { b: 0 }]
  ])("a page with a value its column cannot hold (%s: %o) fails naming the column, none of its rows kept", async (column, bad) => {
    const table = `refused${++tables}`
    await connection.run(oracleDdl(table))
    const { DuckDBDataChunk } = await loadDuckDB()
    const epoch = epochAppender(oracleColumns, { DuckDBDataChunk, vectors: await loadVectorBindings() }, () => connection.createAppender(table), describeRow)
    const good = Array.from({ length: 3000 }, (_, k): OracleRow => ({ s: `row ${k}`, i: k, l: [`${k}`] }))
    await epoch.add(good.slice(0, 100))
    await expect(epoch.add([...good.slice(100, 2500), bad])).rejects.toThrow(new RegExp(`^${column}: expected`))
    await epoch.add(good.slice(100, 200))
    epoch.finish()
    const rows = await readBack(connection, table)
    expect(rows.map((row) => row[0])).toEqual(good.slice(0, 200).map((row) => row.s))
  })
})
