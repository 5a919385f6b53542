import type { Provenance, Video } from "@tikflow/core/internal"
import { provenanceFields, stampProvenance } from "@tikflow/core/internal"
import { tableFromIPC } from "apache-arrow"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { arrowSchemaFor, resolveSink } from "../src/index.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sql } from "./support/postgres-reader.js"
import { sampleVideo } from "./support/records.js"

/**
 * Provenance (`_harvest_id`, `_fetched_at`, `_log_id`, stamped by the runner) is stored by every
 * built-in file and database sink as its last three columns, and a table an earlier version
 * created without them gains them.
 */

const HARVEST = "videos-0123456789abcdef"
const provenanceOf = (i: number): Provenance => ({
  _harvest_id: HARVEST,
  _fetched_at: new Date(Date.UTC(2026, 10, 29, 9, 0, i, 250)).toISOString(),
  _log_id: i % 3 === 0 ? null : `20261129090000${String(i).padStart(4, "0")}ABCDEF`
})
const stamped = (count: number, from = 0): Array<Video> =>
  Array.from({ length: count }, (_, i) => stampProvenance([{ ...sampleVideo(from + i) }], provenanceOf(from + i))[0]!)

const writeOnce = async (uri: string, records: ReadonlyArray<Video>, provenance = true) => {
  const writer = await resolveSink(uri).open(streamContext("video", { stream: "videos", harvestId: HARVEST, provenance }))
  try {
    await writer.write({ records, epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1, HARVEST) })
  } finally {
    await writer.close()
  }
}

const expectProvenance = (rows: ReadonlyArray<Record<string, unknown>>, records: ReadonlyArray<Video>) => {
  const want = new Map(records.map((r) => [r.id, provenanceFields.map((f) => (r as unknown as Provenance)[f])]))
  expect(rows).toHaveLength(records.length)
  for (const row of rows) expect(provenanceFields.map((f) => row[f])).toEqual(want.get(String(row.id)))
}

describe("provenance columns", () => {
  it("stamping adds the three fields in place, and copies a frozen record instead", () => {
    const plain = { ...sampleVideo(1) }
    const frozen = Object.freeze({ ...sampleVideo(2) })
    const out = stampProvenance([plain, frozen], provenanceOf(7))
    expect(out[0]).toBe(plain)
    expect(out[1]).not.toBe(frozen)
    expect(Object.keys(out[1]!).slice(-3)).toEqual([...provenanceFields])
    expect((out[1] as unknown as Provenance)._log_id).toBe(provenanceOf(7)._log_id)
  })

  it("the Arrow schema ends with the utf8 provenance columns, after added fields", () => {
    const names = arrowSchemaFor("video", ["author"], true).fields.map((f) => `${f.name}:${String(f.type)}`)
    expect(names.slice(-4)).toEqual(["author:Utf8", "_harvest_id:Utf8", "_fetched_at:Utf8", "_log_id:Utf8"])
    expect(arrowSchemaFor("video").fields.some((f) => f.name.startsWith("_"))).toBe(false)
  })

  it("DuckDB stores them as trailing columns, adding them to a table created without them", async () => {
    const dir = await tempDir()
    const file = join(dir, "db.duckdb")
    await writeOnce(`duckdb:${file}`, Array.from({ length: 3 }, (_, i) => sampleVideo(500 + i)), false)
    const records = stamped(30)
    await writeOnce(`duckdb:${file}`, records)
    const rows = await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT * FROM db.videos WHERE _harvest_id IS NOT NULL`)
    expectProvenance(rows, records)
    const columns = await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT column_name FROM duckdb_columns() WHERE database_name = 'db' AND table_name = 'videos' ORDER BY column_index`)
    expect(columns.slice(-3).map((c) => c.column_name)).toEqual([...provenanceFields])
    const [cast] = await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT min(_fetched_at::TIMESTAMPTZ) = TIMESTAMPTZ '2026-11-29 09:00:00.25+00' AS ok FROM db.videos`)
    expect(cast).toEqual({ ok: true })
  })

  it("Parquet stores them (read back by DuckDB)", async () => {
    const dir = await tempDir()
    const records = stamped(30)
    await writeOnce(`parquet:${dir}`, records)
    expectProvenance(await duckdbQuery(`SELECT * FROM read_parquet(${sqlString(join(dir, "videos", "*.parquet"))})`), records)
  })

  it("Arrow IPC stores them", async () => {
    const dir = await tempDir()
    const records = stamped(30)
    await writeOnce(`arrow:${dir}`, records)
    const folder = join(dir, "videos")
    const tables = readdirSync(folder).map((name) => tableFromIPC(readFileSync(join(folder, name))))
    expect(tables[0]!.schema.fields.slice(-3).map((f) => f.name)).toEqual([...provenanceFields])
    expectProvenance(tables.flatMap((t) => t.toArray().map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON())), records)
  })

  it("NDJSON writes them as the last keys of each line", async () => {
    const dir = await tempDir()
    const records = stamped(10)
    await writeOnce(`ndjson:${join(dir, "v.ndjson")}`, records)
    const lines = readFileSync(join(dir, "v.ndjson"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    for (const line of lines) expect(Object.keys(line).slice(-3)).toEqual([...provenanceFields])
    expectProvenance(lines, records)
  })

  describe("PostgreSQL", () => {
    const server = usePostgres()

    it("stores them as trailing columns, adding them to a table created without them", async () => {
      await writeOnce(server.uri({ query: "schema=prov" }), [sampleVideo(900)], false)
      const records = stamped(30)
      await writeOnce(server.uri({ query: "schema=prov" }), records)
      expectProvenance(await sql(server.uri(), "SELECT * FROM prov.videos WHERE _harvest_id IS NOT NULL"), records)
      const columns = await sql<{ column_name: string }>(
        server.uri(),
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'prov' AND table_name = 'videos' ORDER BY ordinal_position"
      )
      expect(columns.map((c) => c.column_name).filter((name) => name.startsWith("_harvest") || name.startsWith("_fetched") || name.startsWith("_log"))).toEqual([...provenanceFields])
    })
  })
})
