import type { DuckDBConnection } from "@duckdb/node-api"
import { ConfigError, defineSink } from "@tikflow/core/internal"
import type { DayReplacement, SinkBatch, SinkCommit, SinkContext, SinkTarget, SinkWriter } from "@tikflow/core/internal"
import { readInt, readLocation, readString, rejectUnknownOptions } from "@tikflow/core/internal"
import { columnsOf } from "../schema/columns.js"
import { dayRangesSql } from "../schema/day-ranges-sql.js"
import { duckdbCheckpointStore, saveCheckpointSql } from "./duckdb-checkpoint-store.js"
import type { SharedDuckDB } from "./duckdb-instances.js"
import { acquireDuckDB, releaseDuckDB, setUpConnection } from "./duckdb-instances.js"
import { loadDuckDB, loadVectorBindings } from "./duckdb-library.js"
import type { StagingLane } from "./duckdb-staging.js"
import { openStagingLane } from "./duckdb-staging.js"
import { addAddedColumnsSql, createCheckpointTableSql, createTableSql, quoteIdent } from "./duckdb-tables.js"

export interface DuckDBSinkConfig {
  /** A database file, or `:memory:`. */
  readonly path: string
  /** Prepended to each stream's table name. */
  readonly tablePrefix: string
  /** DuckDB's `memory_limit` for this database, e.g. `512MB`. */
  readonly memoryLimit: string
  /** DuckDB's worker threads for this database. */
  readonly threads: number
}

/**
 * Defaults sized for a harvest next to other work on a small machine: DuckDB's own defaults
 * (80% of RAM, a thread per core) let its buffer cache grow with the table and compete with the
 * harvest for cores. The limit bounds what a merge holds at its peak: the staged epoch, the rows it
 * inserts and the table blocks its scans read fill the cache up to the limit (released after each
 * merge). Beyond it DuckDB spills to its temp directory: an epoch of 50,000 rows of 6 kB merged
 * within 64 MB; 32 MB failed ("could not allocate block").
 * 500k videos by the CLI peaked at 358 MB RSS with 128 MB, 293 MB with 64 MB, for the same CPU.
 */
export const DUCKDB_DEFAULT_MEMORY_LIMIT = "64MB"
export const DUCKDB_DEFAULT_THREADS = 1

const MEMORY_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i

const parseConfig = (target: SinkTarget): DuckDBSinkConfig => {
  rejectUnknownOptions(target, ["table_prefix", "memory_limit", "threads"])
  const tablePrefix = readString(target, "table_prefix") ?? ""
  if (!/^[A-Za-z0-9_]*$/.test(tablePrefix)) throw ConfigError.make("table_prefix", "letters, digits and _", tablePrefix)
  const memoryLimit = readString(target, "memory_limit") ?? DUCKDB_DEFAULT_MEMORY_LIMIT
  if (!MEMORY_SIZE.test(memoryLimit.trim())) throw ConfigError.make("memory_limit", "a size such as 256MB or 2GB", memoryLimit)
  const threads = readInt(target, "threads", { min: 1, max: 256 }, DUCKDB_DEFAULT_THREADS)
  return { path: readLocation(target, "a database file or :memory:"), tablePrefix, memoryLimit: memoryLimit.trim(), threads }
}

const transaction = async (connection: DuckDBConnection, body: () => Promise<void>) => {
  await connection.run("BEGIN TRANSACTION")
  try {
    await body()
    await connection.run("COMMIT")
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined)
    throw error
  }
}

/** Opens a connection to `db`, configured when `settings` are given; closes it if that fails. */
const connectTo = async (db: SharedDuckDB, settings?: { readonly memoryLimit: string; readonly threads: number }) =>
  setUpConnection(await db.instance.connect(), async (connection) => {
    if (settings !== undefined) await db.configure(connection, settings)
    return connection
  })

/** The writer's two staging lanes, one per epoch parity (see `StagingLane`); the first connection also runs the DDL. */
const openLanes = async (db: SharedDuckDB, context: SinkContext<DuckDBSinkConfig>, table: string) => {
  const api = { DuckDBDataChunk: (await loadDuckDB()).DuckDBDataChunk, vectors: await loadVectorBindings() }
  const { memoryLimit, threads } = context.config
  const columns = columnsOf(context.recordKind, context.addedFields, context.provenance)
  const target = { table, kind: context.recordKind, columns }
  const even = await setUpConnection(await connectTo(db, { memoryLimit, threads }), async (first) => {
    await db.exclusive(async () => {
      await first.run(createTableSql(table, columns))
      for (const statement of addAddedColumnsSql(table, columns)) await first.run(statement)
      await first.run(createCheckpointTableSql)
    })
    return openStagingLane(first, api, target)
  })
  try {
    return [even, await setUpConnection(await connectTo(db), (second) => openStagingLane(second, api, target))] as const
  } catch (error) {
    await even.close().catch(() => undefined)
    throw error
  }
}

const openWriter = async (context: SinkContext<DuckDBSinkConfig>): Promise<SinkWriter> => {
  const { path, tablePrefix } = context.config
  const db = await acquireDuckDB(path)
  const table = `${tablePrefix}${context.stream}`
  let lanes: readonly [StagingLane, StagingLane]
  try {
    lanes = await openLanes(db, context, table)
  } catch (error) {
    await releaseDuckDB(path)
    throw error
  }
  // Epoch N+1 is appended on one lane while epoch N merges from the other (`writesDuringFlush`);
  // the merges themselves never overlap (one flush at a time, and `exclusive`).
  const laneOf = (epoch: number) => (epoch % 2 === 0 ? lanes[0] : lanes[1])
  const [{ connection }] = lanes
  /** Days fetched again: their earlier rows are deleted in the next flush's transaction, before the merge. */
  let replacing: DayReplacement | undefined
  const deleteReplaced = async (on: DuckDBConnection, replace: DayReplacement) => {
    const removed = await on.runAndReadAll(
      `DELETE FROM ${quoteIdent(table)} WHERE _harvest_id = $harvest_id AND (${dayRangesSql(quoteIdent(replace.field), replace.days)})`,
      { harvest_id: context.harvestId }
    )
    const count = Number(removed.getRows()[0]?.[0] ?? 0)
    context.logger.info(`${table}: ${count} row(s) of ${replace.days.length} day(s) fetched again replaced`)
  }
  let closed = false

  return {
    writesDuringFlush: true,
    async discardUncommitted(resume) {
      // Nothing of a later epoch ever reached the table: rows wait in a connection's staging
      // table and are merged together with their checkpoint, in one transaction. A harvest that
      // starts over (no resume point, e.g. --fresh) drops the rows it stored before.
      if (resume !== undefined) return
      if (context.provenance !== true) {
        context.logger.debug(`${table}: without provenance columns the rows of harvest ${context.harvestId} cannot be told apart; earlier rows stay`)
        return
      }
      await db.exclusive(async () => {
        const removed = await connection.runAndReadAll(
          `DELETE FROM ${quoteIdent(table)} WHERE _harvest_id = $harvest_id`,
          { harvest_id: context.harvestId }
        )
        const count = Number(removed.getRows()[0]?.[0] ?? 0)
        if (count > 0) context.logger.info(`${table}: ${count} row(s) of harvest ${context.harvestId} removed: it starts over`)
      })
    },
    async replaceDays(replace) {
      if (context.provenance !== true) {
        context.logger.debug(`${table}: without provenance columns the rows of harvest ${context.harvestId} cannot be told apart; re-fetched rows update theirs by key`)
        return
      }
      replacing = replace
    },
    async write(batch: SinkBatch) {
      return laneOf(batch.epoch).add(batch.records)
    },
    async flush(commit: SinkCommit) {
      const lane = laneOf(commit.epoch)
      await lane.seal()
      // Data and checkpoint commit together or not at all: exactly-once across crashes.
      await db.exclusive(async () => {
        await transaction(lane.connection, async () => {
          if (replacing !== undefined) await deleteReplaced(lane.connection, replacing)
          await lane.merge()
          await saveCheckpointSql(lane.connection, context.stream, commit.checkpoint)
        })
        await lane.merged()
        await db.releaseMemory(lane.connection)
      })
      replacing = undefined
    },
    async close() {
      if (closed) return
      closed = true
      const unflushed = lanes[0].rows + lanes[1].rows
      if (unflushed > 0) context.logger.debug(`${table}: ${unflushed} staged row(s) of an unflushed epoch discarded on close`)
      try {
        await lanes[0].close()
      } finally {
        try {
          await lanes[1].close()
        } finally {
          await releaseDuckDB(path)
        }
      }
    },
    checkpoints: duckdbCheckpointStore(`duckdb:${path}`, context.stream, (task) => db.exclusive(() => task(connection)))
  }
}

/**
 * `duckdb:<file.duckdb>` or `duckdb::memory:`: one typed table per stream, one row per record key.
 * Batches are appended to a staging table; `flush` merges them into the table by key (last
 * version wins) and records the checkpoint in the same transaction. Re-delivered records
 * replace, never duplicate. The next epoch's batches are taken while a flush merges (on the
 * other staging lane), so the harvest goes on during the merge.
 */
export const duckdbSink = defineSink<DuckDBSinkConfig>({
  contract: 3,
  name: "duckdb",
  schemes: ["duckdb"],
  description: "DuckDB tables per stream, upserted on the primary key, checkpoints in the same transaction",
  options: {
    table_prefix: "prepended to each stream's table name (default none)",
    memory_limit: `DuckDB's memory limit for the database, e.g. 512MB (default ${DUCKDB_DEFAULT_MEMORY_LIMIT}; DuckDB spills to disk beyond it)`,
    threads: `DuckDB's worker threads (default ${DUCKDB_DEFAULT_THREADS}; the harvest itself needs a core)`
  },
  config: { parse: parseConfig },
  open: openWriter
})
