import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { epochAppender } from "../../packages/sinks/src/duckdb/duckdb-chunks.js"
import { loadDuckDB, loadVectorBindings } from "../../packages/sinks/src/duckdb/duckdb-library.js"
import type { OracleRow } from "../../packages/sinks/test/support/duckdb-oracle.js"
import { appendValueByValue, describeRow, oracleColumns, oracleDdl, readBack } from "../../packages/sinks/test/support/duckdb-oracle.js"
import { bySize, mode } from "./support/mode.js"

// The DuckDB sink's epoch appender keeps ONE data chunk and its column buffers for its whole life:
// epoch after epoch, through refused pages, discarded epochs and epochs DuckDB broke. Whatever came
// before, an epoch's table must hold exactly its own accepted rows, nulls where it had nulls (no value
// of an earlier epoch, page or chunk showing through). The oracle is node-api's value-by-value writer.

const runs = bySize(30, 300)

// node-api's types as the sink's loader gives them (the root package does not depend on node-api).
type DuckDB = Awaited<ReturnType<typeof loadDuckDB>>
type DuckDBConnection = Awaited<ReturnType<Awaited<ReturnType<DuckDB["DuckDBInstance"]["create"]>>["connect"]>>
type DuckDBAppender = Awaited<ReturnType<DuckDBConnection["createAppender"]>>


const text = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("", "twelve bytes", "thirteen byte", "🎉é", "\ud800"))
// Mostly values or mostly nulls, so a chunk of nulls follows a chunk of values and the other way round.
const rowArb = (nulls: number): fc.Arbitrary<OracleRow> => {
  const maybe = <A>(value: fc.Arbitrary<A>) => fc.oneof({ weight: 10 - nulls, arbitrary: value }, { weight: nulls, arbitrary: fc.constant(null) })
  return fc.record({
    s: maybe(text),
    i: maybe(fc.oneof(fc.integer(), fc.maxSafeInteger())),
    f: maybe(fc.double()),
    b: maybe(fc.boolean()),
    l: maybe(fc.array(fc.option(text, { nil: null }), { maxLength: 4 })),
    j: maybe(fc.jsonValue({ maxDepth: 1 }))
  })
}
/** A value one column cannot hold: the page is refused, after the columns before it took its rows. */
const poison = fc.constantFrom<OracleRow>({ s: 7 }, { i: 1.5 }, { i: 5n }, { l: ["x", 5] }, { i: "not a number" }, { f: "not a number" })

const pageArb = fc
  .record({
    rows: fc.integer({ min: 0, max: 9 }).chain((nulls) => fc.array(rowArb(nulls), { minLength: 1, maxLength: 12 })),
    size: fc.integer({ min: 1, max: 2600 }),
    poisoned: fc.option(fc.tuple(fc.nat(), poison), { nil: undefined })
  })
  .map(({ rows, size, poisoned }) => {
    const page = Array.from({ length: size }, (_, k) => rows[k % rows.length]!)
    if (poisoned !== undefined) page[poisoned[0] % size] = poisoned[1]
    return { page, refused: poisoned !== undefined }
  })

const epochArb = fc.record({
  pages: fc.array(pageArb, { minLength: 1, maxLength: 4 }),
  end: fc.constantFrom<"finish" | "discard">("finish", "finish", "discard"),
  /** DuckDB refuses the epoch's n-th chunk (the epoch is broken and never read). */
  brokenAt: fc.option(fc.nat({ max: 4 }), { nil: undefined, freq: 4 })
})

let connection: DuckDBConnection
let tables = 0

beforeAll(async () => {
  const { DuckDBInstance } = await loadDuckDB()
  connection = await (await DuckDBInstance.create(":memory:")).connect()
})
afterAll(() => connection.closeSync())

/** The appender on `table`, refusing its `brokenAt`-th chunk as DuckDB refuses one it cannot take. */
const appenderOn = async (table: string, brokenAt: number | undefined): Promise<DuckDBAppender> => {
  const real = await connection.createAppender(table)
  if (brokenAt === undefined) return real
  let chunks = 0
  return Object.assign(Object.create(real) as DuckDBAppender, {
    appendDataChunk(chunk: Parameters<DuckDBAppender["appendDataChunk"]>[0]) {
      if (chunks++ === brokenAt) throw new Error("refused by the test")
      real.appendDataChunk(chunk)
    }
  })
}

describe(`duckdb epoch appender across epochs (${mode} mode)`, () => {
  it(`one appender, epoch after epoch: each finished epoch's table holds exactly its accepted rows, nulls included (${runs} runs)`, async () => {
    const { DuckDBDataChunk } = await loadDuckDB()
    const vectors = await loadVectorBindings()
    await fc.assert(
      fc.asyncProperty(fc.array(epochArb, { minLength: 2, maxLength: 4 }), async (epochs) => {
        let table = ""
        let brokenAt: number | undefined
        const epoch = epochAppender(oracleColumns, { DuckDBDataChunk, vectors }, () => appenderOn(table, brokenAt), describeRow)
        for (const { pages, end, brokenAt: refusedChunk } of epochs) {
          const n = ++tables
          table = `bulk${n}`
          brokenAt = refusedChunk
          await connection.run(`${oracleDdl(`bulk${n}`)}; ${oracleDdl(`values${n}`)}`)
          const accepted: Array<OracleRow> = []
          let broken = false
          for (const { page, refused } of pages) {
            try {
              await epoch.add(page)
              expect(refused).toBe(false)
              accepted.push(...page)
            } catch (error) {
              if (!refused) {
                expect((error as Error).message).toMatch(/refused by the test|earlier write of this epoch failed/)
                broken = true
              }
            }
          }
          if (end === "discard") {
            epoch.discard()
            if (!broken) expect(await readBack(connection, table)).toEqual([])
            continue
          }
          try {
            epoch.finish()
          } catch (error) {
            expect((error as Error).message).toMatch(/refused by the test|earlier write of this epoch failed/)
            broken = true
          }
          // A broken epoch: its table is emptied by the sink (the staging lane), never read.
          if (brokenAt === undefined) expect(broken).toBe(false)
          if (broken) continue
          await appendValueByValue(connection, `values${n}`, accepted)
          expect(await readBack(connection, `bulk${n}`)).toEqual(await readBack(connection, `values${n}`))
        }
      }),
      { numRuns: runs }
    )
  })
})
