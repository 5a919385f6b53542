import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api"
import { fc, test } from "@fast-check/vitest"
import { afterAll, beforeAll, describe, expect } from "vitest"
import type { Column } from "../src/schema/columns.js"
import { epochAppender } from "../src/duckdb/duckdb-chunks.js"
import { loadDuckDB, loadVectorBindings } from "../src/duckdb/duckdb-library.js"
import { jsonText } from "../src/schema/columns.js"

// The epoch appender writes DuckDB's vectors in bulk (typed arrays, validity bits, one native
// string per column). The oracle is node-api's own value-by-value path (DuckDBDataChunkWriter,
// as the sink appended before): the same records must give the same table, value for value.

const columns: ReadonlyArray<Column> = [
  { name: "s", type: "utf8", nullable: true },
  { name: "i", type: "int64", nullable: true },
  { name: "f", type: "float64", nullable: true },
  { name: "b", type: "bool", nullable: true },
  { name: "l", type: "list_utf8", nullable: true },
  { name: "j", type: "json", nullable: true }
]
const ddl = (table: string) => `CREATE TABLE ${table} (s VARCHAR, i BIGINT, f DOUBLE, b BOOLEAN, l VARCHAR[], j VARCHAR)`

type Row = { s?: string | null; i?: number | bigint | string | null; f?: number | null; b?: boolean | null; l?: Array<string | null> | null; j?: unknown }

// Strings of any UTF-16 (lone surrogates, NUL), around the 12 bytes DuckDB keeps inline.
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("", "\u0000", "twelve bytes", "thirteen byte", "elevenbytes\u00e9", "🎉🎉🎉", "\ud800")
)
const int64 = fc.oneof(
  fc.integer(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(-(2 ** 63), 2 ** 62, -(2 ** 53) - 2, 2 ** 32, -(2 ** 32), -1, 0, -0),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)
)
const rowArb: fc.Arbitrary<Row> = fc.record(
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

const appendWithEpochAppender = async (table: string, pages: ReadonlyArray<ReadonlyArray<Row>>) => {
  const { DuckDBDataChunk } = await loadDuckDB()
  const epoch = epochAppender(columns, { DuckDBDataChunk, vectors: await loadVectorBindings() }, () => connection.createAppender(table))
  for (const page of pages) await epoch.add(page)
  epoch.finish()
}

const appendValueByValue = async (table: string, pages: ReadonlyArray<ReadonlyArray<Row>>) => {
  const { DuckDBDataChunkWriter, listValue } = await loadDuckDB()
  const appender = await connection.createAppender(table)
  const writer = DuckDBDataChunkWriter.forAppender(appender)
  for (const row of pages.flat()) {
    const values: Array<DuckDBValue> = [
      row.s ?? null,
      row.i === undefined || row.i === null ? null : typeof row.i === "bigint" ? row.i : BigInt(row.i),
      row.f ?? null,
      row.b ?? null,
      row.l === undefined || row.l === null ? null : listValue(row.l),
      jsonText(row.j) ?? null
    ]
    writer.appendRow(values)
  }
  writer.flush()
  appender.closeSync()
}

const readBack = async (table: string) => (await connection.runAndReadAll(`SELECT * FROM ${table} ORDER BY rowid`)).getRowsJS()

describe("duckdb epoch appender", () => {
  test.prop([pagesArb], { numRuns: 25 })("gives the table node-api's value-by-value chunks give, value for value", async (pages) => {
    const n = ++tables
    await connection.run(`${ddl(`bulk${n}`)}; ${ddl(`values${n}`)}`)
    await appendWithEpochAppender(`bulk${n}`, pages)
    await appendValueByValue(`values${n}`, pages)
    const [bulk, values] = [await readBack(`bulk${n}`), await readBack(`values${n}`)]
    expect(bulk.length).toBe(pages.flat().length)
    expect(bulk).toEqual(values)
  })

  test("a chunk without nulls after one with them keeps every value (the reused chunk's validity starts clear)", async () => {
    const n = ++tables
    await connection.run(`${ddl(`bulk${n}`)}; ${ddl(`values${n}`)}`)
    const nulls: Row = { s: null, i: null, f: null, b: null, l: [null, "x", null], j: null }
    const full = (k: number): Row => ({ s: `string number ${k}`, i: k, f: k / 2, b: k % 2 === 0, l: [`${k}`, "thirteen bytes"], j: { k } })
    const pages = [Array.from({ length: 2048 }, () => nulls), Array.from({ length: 2048 + 7 }, (_, k) => full(k))]
    await appendWithEpochAppender(`bulk${n}`, pages)
    await appendValueByValue(`values${n}`, pages)
    const [bulk, values] = [await readBack(`bulk${n}`), await readBack(`values${n}`)]
    expect(bulk.slice(2048).every((row) => row.every((value) => value !== null))).toBe(true)
    expect(bulk).toEqual(values)
  })

  test("epoch after epoch, one data chunk is filled (none left per epoch for a full GC to free) and each epoch's rows are its own", async () => {
    const n = ++tables
    await connection.run(`${ddl(`bulk${n}`)}; ${ddl(`values${n}`)}`)
    const { DuckDBDataChunk } = await loadDuckDB()
    let created = 0
    const counting = { create: (...args: Parameters<typeof DuckDBDataChunk.create>) => (created++, DuckDBDataChunk.create(...args)) } as unknown as typeof DuckDBDataChunk
    const epoch = epochAppender(columns, { DuckDBDataChunk: counting, vectors: await loadVectorBindings() }, () => connection.createAppender(`bulk${n}`))
    const pages = [0, 1, 2].map((e) => Array.from({ length: 2048 + 100 * e }, (_, k): Row => ({ s: `epoch ${e} row ${k}`, i: k, l: [`${e}`] })))
    for (const page of pages) {
      await epoch.add(page)
      epoch.finish()
    }
    await appendValueByValue(`values${n}`, pages)
    expect(created).toBe(1)
    expect(await readBack(`bulk${n}`)).toEqual(await readBack(`values${n}`))
  })

  test.each<[string, Row]>([
    ["i", { i: 1.5 }],
    ["i", { i: 2n ** 63n }],
    ["i", { i: 2 ** 63 }],
    ["i", { i: "x" }],
    ["s", { s: 5 as never }],
    ["l", { l: "abc" as never }],
    ["l", { l: ["a", 1 as never] }],
    ["f", { f: 1n as never }],
    // A typed array would take these as NaN, 0 and 1.
    ["f", { f: "abc" as never }],
    ["f", { f: "" as never }],
    ["f", { f: true as never }],
    // Stored as true and false.
    ["b", { b: "false" as never }],
    ["b", { b: 0 as never }]
  ])("a page with a value its column cannot hold (%s: %o) fails naming the column, none of its rows kept", async (column, bad) => {
    const table = `refused${++tables}`
    await connection.run(ddl(table))
    const { DuckDBDataChunk } = await loadDuckDB()
    const epoch = epochAppender(columns, { DuckDBDataChunk, vectors: await loadVectorBindings() }, () => connection.createAppender(table))
    const good = Array.from({ length: 3000 }, (_, k): Row => ({ s: `row ${k}`, i: k, l: [`${k}`] }))
    await epoch.add(good.slice(0, 100))
    await expect(epoch.add([...good.slice(100, 2500), bad])).rejects.toThrow(new RegExp(`^${column}: expected`))
    await epoch.add(good.slice(100, 200))
    epoch.finish()
    const rows = await readBack(table)
    expect(rows.map((row) => row[0])).toEqual(good.slice(0, 200).map((row) => row.s))
  })
})
