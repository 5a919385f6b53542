import type { Video } from "@tikflow/core/internal"
import { stampProvenance } from "@tikflow/core/internal"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { usePostgres } from "../../../test/postgres/use-postgres.mjs"
import { resolveSink } from "../src/index.js"
import { checkpoint, streamContext, tempDir } from "./support/context.js"
import { duckdbQuery, sqlString } from "./support/duckdb-reader.js"
import { sql } from "./support/postgres-reader.js"
import { sampleVideo } from "./support/records.js"

/**
 * A harvest that starts over (opened with no resume point: `--fresh`, or its first run) removes
 * the rows it stored before from the database sinks, by their `_harvest_id`; other harvests' rows
 * stay, and a resumed run keeps its own.
 */

const stamped = (harvestId: string, ids: ReadonlyArray<number>): Array<Video> =>
  ids.map((i) => stampProvenance([{ ...sampleVideo(i) }], { _harvest_id: harvestId, _fetched_at: "2026-11-29T10:00:00.000Z", _log_id: null })[0]!)

const run = async (uri: string, harvestId: string, ids: ReadonlyArray<number>, resume?: number) => {
  const writer = await resolveSink(uri).open(streamContext("video", {
    stream: "videos",
    harvestId,
    provenance: true,
    resume: resume === undefined ? undefined : { epoch: resume }
  }))
  try {
    const epoch = (resume ?? 0) + 1
    await writer.write({ records: stamped(harvestId, ids), epoch })
    await writer.flush({ epoch, checkpoint: checkpoint(epoch, harvestId) })
  } finally {
    await writer.close()
  }
}

const scenario = async (uri: string, ids: () => Promise<Array<string>>) => {
  await run(uri, "videos-a", [1, 2, 3])
  await run(uri, "videos-b", [10, 11])
  await run(uri, "videos-a", [4], 1) // resumed after epoch 1: keeps 1, 2, 3
  expect(await ids()).toEqual(["1", "10", "11", "2", "3", "4"].map((n) => sampleVideo(Number(n)).id).sort())
  await run(uri, "videos-a", [5]) // starts over: only its new row, and b's
  expect(await ids()).toEqual([sampleVideo(5).id, sampleVideo(10).id, sampleVideo(11).id].sort())
}

describe("a harvest starting over", () => {
  it("DuckDB deletes that harvest's earlier rows", async () => {
    const file = join(await tempDir(), "db.duckdb")
    await scenario(`duckdb:${file}`, async () =>
      (await duckdbQuery(`ATTACH ${sqlString(file)} AS db (READ_ONLY); SELECT id FROM db.videos ORDER BY id`)).map((row) => String(row.id)).sort())
  })

  describe("PostgreSQL", () => {
    const server = usePostgres()
    it("deletes that harvest's earlier rows", async () => {
      await scenario(server.uri({ query: "schema=restart" }), async () =>
        (await sql<{ id: string }>(server.uri(), "SELECT id FROM restart.videos")).map((row) => row.id).sort())
    })
  })
})
