import type { Video } from "@tikflow/core/internal"
import { tableFromIPC } from "apache-arrow"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { arrowSchemaFor, resolveSink } from "../src/internal.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sampleVideo } from "./support/records.js"

/**
 * Fields a transform adds (a join's `author`) reach every fixed-column sink as a JSON text column
 * when declared (`StreamContext.addedFields`), and make the sink fail, naming the field, when not:
 * never a silently dropped field.
 */

const author = (i: number) => (i % 3 === 0 ? null : { username: `user_${i}`, follower_count: i % 2 === 0 ? 0 : 10 * i, bio_url: null })
const enriched = (count: number) => Array.from({ length: count }, (_, i) => ({ ...sampleVideo(i), author: author(i) }))

const writeOnce = async (uri: string, records: ReadonlyArray<unknown>, addedFields?: ReadonlyArray<string>, harvestId = "harvest-1") => {
  const writer = await resolveSink(uri).open(streamContext("video", { stream: "videos", harvestId, addedFields }))
  try {
    await writer.write({ records: records as ReadonlyArray<Video>, epoch: 1 })
    await writer.flush({ epoch: 1, checkpoint: checkpoint(1, harvestId) })
  } finally {
    await writer.close()
  }
}

const expectAuthors = (rows: ReadonlyArray<Record<string, unknown>>, records: ReturnType<typeof enriched>) => {
  const want = new Map(records.map((r) => [r.id, r.author === null ? null : JSON.stringify(r.author)]))
  expect(rows).toHaveLength(records.length)
  for (const row of rows) expect(row.author).toBe(want.get(String(row.id)))
}

describe("fields a transform adds", () => {
  it("the Arrow schema gains a utf8 column per added field, marked as JSON", () => {
    const field = arrowSchemaFor("video", ["author"]).fields.at(-1)!
    expect([field.name, String(field.type), field.nullable, field.metadata.get("tikflow.encoding")]).toEqual(["author", "Utf8", true, "json"])
    expect(arrowSchemaFor("video").fields.some((f) => f.name === "author")).toBe(false)
    expect(() => arrowSchemaFor("video", ["username"])).toThrow(/^username: a transform adds this field, but video records already have it/)
  })

  it("DuckDB stores them as JSON text, and adds the column to a table created without it", async () => {
    const dir = await tempDir()
    const file = join(dir, "db.duckdb")
    await writeOnce(`duckdb:${file}`, Array.from({ length: 5 }, (_, i) => sampleVideo(100 + i)), undefined, "plain")
    const records = enriched(40)
    await writeOnce(`duckdb:${file}`, records, ["author"])
    const rows = await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT id, author FROM db.videos WHERE id IN (${records.map((r) => sqlString(r.id)).join(", ")})`)
    expectAuthors(rows, records)
    const [row] = await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT count(*)::INT n, count(author)::INT with_author, sum(json_extract(author, '$.follower_count')::INT)::INT followers FROM db.videos`)
    expect(row).toEqual({
      n: 45,
      with_author: records.filter((r) => r.author !== null).length,
      followers: records.reduce((sum, r) => sum + (r.author?.follower_count ?? 0), 0)
    })
    // A later run without the join still writes into the wider table (its author stays null).
    await writeOnce(`duckdb:${file}`, [sampleVideo(999)], undefined, "plain-again")
    const [late] = await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT author FROM db.videos WHERE id = ${sqlString(sampleVideo(999).id)}`)
    expect(late).toEqual({ author: null })
  })

  it("Parquet stores them as JSON text (read back by DuckDB)", async () => {
    const dir = await tempDir()
    const records = enriched(40)
    await writeOnce(`parquet:${dir}`, records, ["author"])
    expectAuthors(await duckdbQuery(`SELECT id, author FROM read_parquet(${sqlString(join(dir, "videos", "*.parquet"))})`), records)
  })

  it("Arrow IPC stores them as JSON text", async () => {
    const dir = await tempDir()
    const records = enriched(40)
    await writeOnce(`arrow:${dir}`, records, ["author"])
    const folder = join(dir, "videos")
    const rows = readdirSync(folder).flatMap((name) => tableFromIPC(readFileSync(join(folder, name))).toArray().map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON()))
    expectAuthors(rows, records)
  })

  it.each(["duckdb", "parquet", "arrow"])("%s refuses records with a field nobody declared, naming it", async (scheme) => {
    const dir = await tempDir()
    const uri = scheme === "duckdb" ? `duckdb:${join(dir, "db.duckdb")}` : `${scheme}:${dir}`
    await expect(writeOnce(uri, enriched(3))).rejects.toThrow(/author: records carry a field no column holds; a transform that adds fields must declare them/)
  })
})
