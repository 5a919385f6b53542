import { defineSink } from "@tikflow/core/internal"
import { tableFromIPC } from "apache-arrow"
import { existsSync } from "node:fs"
import { appendFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { SinkWriter } from "@tikflow/core/internal"
import { arrowSchemaFor, arrowSink, builtinSinks, duckdbSink, ndjsonSink, parquetSink, parseSinkUri, sharedDuckDB } from "../src/internal.js"
import { runChangedValuesContract, runDayReplacementContract, runSinkContract, testSinkPlugin } from "../src/testing/index.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { sampleVideo } from "./support/records.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"

// The built-in file sinks pass the contract suite that third-party plugin authors run, each read
// back by an independent reader: the lines, DuckDB over the Parquet parts, Arrow's IPC reader, SQL.

const filesUnder = async (dir: string, extension: string): Promise<Array<string>> => {
  if (!existsSync(dir)) return []
  const out: Array<string> = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(extension)) out.push(join(entry.parentPath, entry.name))
  }
  return out
}

const readLines = async (file: string): Promise<Array<{ id: unknown }>> =>
  existsSync(file) ? (await readFile(file, "utf8")).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as { id: unknown }) : []

testSinkPlugin(ndjsonSink, { read: ({ dir, stream }) => readLines(join(dir, `${stream}.ndjson`)) })

testSinkPlugin(parquetSink, {
  // Small parts, so parts are also written mid-epoch, before the flush.
  uri: (dir) => `parquet:${dir}?part_rows=7`,
  read: async ({ dir, stream }) =>
    (await filesUnder(join(dir, stream), ".parquet")).length === 0
      ? []
      : duckdbQuery(`SELECT id, like_count, username FROM read_parquet(${sqlString(join(dir, stream, "**", "*.parquet"))})`)
})

testSinkPlugin(arrowSink, {
  uri: (dir) => `arrow:${dir}?part_rows=7`,
  read: async ({ dir, stream }) => {
    const rows: Array<{ id: unknown; like_count: unknown; username: unknown }> = []
    for (const file of await filesUnder(join(dir, stream), ".arrow")) {
      const table = tableFromIPC(await readFile(file))
      const likes = table.getChild("like_count")!.toArray() as ArrayLike<unknown>
      const usernames = [...table.getChild("username")!]
      let i = 0
      for (const id of table.getChild("id")!) rows.push({ id, like_count: likes[i], username: usernames[i++] })
    }
    return rows
  }
})

testSinkPlugin(duckdbSink, {
  uri: (dir) => `duckdb:${join(dir, "out.duckdb")}`,
  read: async ({ dir, stream }) => {
    const connection = await (await sharedDuckDB(join(dir, "out.duckdb"))).connect()
    try {
      const tables = await connection.runAndReadAll(`SELECT 1 FROM information_schema.tables WHERE table_name = ${sqlString(stream)}`)
      if (tables.getRows().length === 0) return []
      return (await connection.runAndReadAll(`SELECT id, like_count, username FROM "${stream}"`)).getRowObjectsJS() as Array<{ id: unknown }>
    } finally {
      connection.closeSync()
    }
  }
})

describe("the built-in sinks are on contract 3", () => {
  it("every built-in sink declares it", () => {
    expect(builtinSinks.filter((plugin) => plugin.contract !== 3).map((plugin) => plugin.name)).toEqual([])
  })

  it("a part-file writer discards in its hook, not lazily: it refuses a part before the hook ran, and the hook removes later epochs' parts", async () => {
    const dir = await tempDir()
    const uri = `parquet:${dir}?part_rows=2`
    const open = (resume: { epoch: number } | undefined): Promise<SinkWriter> => {
      const target = parseSinkUri(uri)
      const context = streamContext("video", { resume })
      return parquetSink.open({ ...context, target, config: parquetSink.config.parse(target), arrowSchema: arrowSchemaFor("video") })
    }
    const parts = async () => (await filesUnder(join(dir, "videos"), ".parquet")).length
    const [a, b, c, d] = [1, 2, 3, 4].map(sampleVideo)

    const refused = await open(undefined)
    await expect(refused.write({ records: [a, b], epoch: 1 })).rejects.toThrow(/discardUncommitted must run before the first part is written/)
    expect(await parts()).toBe(0)

    const first = await open(undefined)
    await first.discardUncommitted!(undefined)
    await first.write({ records: [a, b], epoch: 1 })
    await first.flush({ epoch: 1, checkpoint: checkpoint(1) })
    await first.write({ records: [c, d], epoch: 2 }) // a full part, written before its epoch is acknowledged
    expect(await parts()).toBe(2)
    // Killed here: epoch 2 was never flushed.

    const resumed = await open({ epoch: 1 })
    expect(await parts()).toBe(2) // opening discards nothing
    await resumed.discardUncommitted!({ epoch: 1 })
    expect(await parts()).toBe(1)
    await resumed.write({ records: [c, d], epoch: 2 })
    await resumed.flush({ epoch: 2, checkpoint: checkpoint(2) })
    await resumed.close()
    const ids = await duckdbQuery(`SELECT id FROM read_parquet(${sqlString(join(dir, "videos", "*.parquet"))}) ORDER BY id`)
    expect(ids.map((row) => row.id)).toEqual([a, b, c, d].map((video) => video.id).sort())
  })
})

/**
 * A plugin written from the old docs alone: it appends JSON lines and flushes, but never cuts off
 * the epochs that were written and not acknowledged — the duplicate rows after `kill -9`.
 */
const appendOnly = (discardInOpen: boolean) =>
  defineSink<{ file: string }>({
    contract: 1,
    name: discardInOpen ? "eager" : "append-only",
    schemes: ["broken"],
    config: { parse: (target) => ({ file: join(target.location, "out.ndjson") }) },
    async open(context) {
      await mkdir(join(context.config.file, ".."), { recursive: true })
      // Discarding in open (here: starting the file over when not resuming) loses what a probing
      // runner's later reopen at a committed epoch still needs.
      if (discardInOpen && context.resume === undefined) await writeFile(context.config.file, "")
      let pending = ""
      return {
        async write(batch) {
          for (const record of batch.records) pending += `${JSON.stringify({ id: (record as { id: string }).id })}\n`
        },
        async flush() {
          await appendFile(context.config.file, pending)
          pending = ""
        },
        async close() {}
      }
    }
  })

describe("the contract suite catches broken plugins", () => {
  const read = ({ dir }: { dir: string }) => readLines(join(dir, "out.ndjson"))

  it("a plugin that keeps unacknowledged epochs on resume fails with the duplicated ids", async () => {
    const error = await runSinkContract(appendOnly(false), { read, numRuns: 60, seed: 42 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/^sink contract of append-only: after .*: expected \d+ record\(s\) exactly once, read \d+; duplicated: .*\n  scenario: e1 /)
  })

  it("a plugin that discards in open fails with the lost ids", async () => {
    const error = await runSinkContract(appendOnly(true), { read, numRuns: 60, seed: 42 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/missing: /)
  })

  it("a plugin whose replaceDays keeps the earlier rows fails with the repeated and stale ids", async () => {
    const keeping = defineSink({
      ...ndjsonSink,
      name: "keeping",
      open: async (context) => ({ ...(await ndjsonSink.open(context)), replaceDays: async () => undefined })
    })
    const error = await runDayReplacementContract(keeping, { read: ({ dir }) => readLines(join(dir, "videos.ndjson")), numRuns: 60, seed: 42 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/^day replacement of keeping: after the days were fetched again: .*(×2|should be gone)/)
  })

  it("a plugin that stores a lone surrogate as U+FFFD without saying so fails, naming the column; one saying something else than changed values fails too", async () => {
    // NDJSON's own lines, but each username written as UTF-8 holds it (toWellFormed), silently.
    const silentlyChanged = defineSink({
      ...ndjsonSink,
      name: "silently-changed",
      open: async (context) => {
        const writer = await ndjsonSink.open(context)
        return {
          ...writer,
          write: async (batch) => {
            const records = batch.records.map((record) => {
              const username = (record as { username: string | null }).username
              return { ...record, username: username === null ? null : (username as unknown as { toWellFormed(): string }).toWellFormed() }
            })
            await writer.write({ ...batch, records: records as never })
          }
        }
      }
    })
    const readUsernames = ({ dir }: { dir: string }) => readLines(join(dir, "videos.ndjson"))
    const error = await runChangedValuesContract(silentlyChanged, { read: readUsernames }).catch((e: unknown) => e)
    expect((error as Error).message).toBe("username: 2 value(s) read back other than written, but write said 0 changed: return what it stores changed (changeTally, wellFormedText)")
    const saysNonsense = defineSink({
      ...ndjsonSink,
      name: "says-nonsense",
      open: async (context) => ({ ...(await ndjsonSink.open(context)), write: async () => [{ column: "username", count: "2" }] as never })
    })
    const nonsense = await runChangedValuesContract(saysNonsense, { read: readUsernames }).catch((e: unknown) => e)
    expect((nonsense as Error).message).toMatch(/^write resolved to \[\{"column":"username","count":"2"\}\]: expected nothing or changed values/)
    // NDJSON itself keeps them (escaped) and says nothing: it passes.
    await runChangedValuesContract(ndjsonSink, { read: readUsernames })
  })

  it("a contract 3 writer without the hook fails the replacement property, naming it", async () => {
    const without = defineSink({ ...ndjsonSink, name: "without", open: async (context) => ({ ...(await ndjsonSink.open(context)), replaceDays: undefined }) })
    const error = await runDayReplacementContract(without, { read: ({ dir }) => readLines(join(dir, "videos.ndjson")), numRuns: 1 }).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/without: its writer has no replaceDays hook \(sink contract 3\)/)
  })
})
