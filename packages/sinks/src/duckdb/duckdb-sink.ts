import type { DuckDBConnection } from "@duckdb/node-api"
import { ConfigError, defineSink } from "@tikflow/core/internal"
import type { DayReplacement, SinkBatch, SinkCommit, SinkContext, SinkTarget, SinkWriter } from "@tikflow/core/internal"
import { readInt, readLocation, readString, rejectUnknownOptions } from "@tikflow/core/internal"
import { columnsOf } from "../schema/columns.js"
import { dayRangesSql } from "../schema/day-ranges-sql.js"
import { epochAppender } from "./duckdb-chunks.js"
import { duckdbCheckpointStore, saveCheckpointSql } from "./duckdb-checkpoint-store.js"
import { acquireDuckDB, releaseDuckDB } from "./duckdb-instances.js"
import { loadDuckDB } from "./duckdb-library.js"
import { addAddedColumnsSql, createCheckpointTableSql, createStagingSql, createTableSql, quoteIdent, upsertFromStagingSql } from "./duckdb-tables.js"

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

const openWriter = async (context: SinkContext<DuckDBSinkConfig>): Promise<SinkWriter> => {
  const { path, tablePrefix, memoryLimit, threads } = context.config
  const api = await loadDuckDB()
  const db = await acquireDuckDB(path)
  let connection: DuckDBConnection
  try {
    connection = await db.instance.connect()
  } catch (error) {
    await releaseDuckDB(path)
    throw error
  }
  try {
    await db.configure(connection, { memoryLimit, threads })
  } catch (error) {
    connection.closeSync()
    await releaseDuckDB(path)
    throw error
  }
  const table = `${tablePrefix}${context.stream}`
  const staging = `_tikflow_stage_${table.replace(/[^A-Za-z0-9_]/g, "_")}`
  const kind = context.recordKind
  const columns = columnsOf(kind, context.addedFields, context.provenance)
  await db.exclusive(async () => {
    await connection.run(createTableSql(table, columns))
    for (const statement of addAddedColumnsSql(table, columns)) await connection.run(statement)
    await connection.run(createCheckpointTableSql)
  })
  await connection.run(createStagingSql(staging, table, columns))
  const upsertSql = upsertFromStagingSql(staging, table, kind, columns)
  // Rows go to this connection's staging table through one appender per epoch; they reach the
  // target only with a checkpoint.
  const epoch = epochAppender(columns, api, () => connection.createAppender(staging, "main", "temp"))
  /** A fresh staging table rather than DELETE keeps rowids in append order ("last version wins"). */
  const emptyStaging = () => connection.run(createStagingSql(staging, table, columns))
  const mergeStaged = async () => {
    const [[unique]] = (await connection.runAndReadAll(upsertSql.stagedKeysUnique)).getRows()
    await connection.run(upsertSql.deleteStaged)
    await connection.run(unique === true ? upsertSql.insertAll : upsertSql.insertLast)
  }
  /** Rows in the staging table, not merged yet. */
  let staged = 0
  /** Days fetched again: their earlier rows are deleted in the next flush's transaction, before the merge. */
  let replacing: DayReplacement | undefined
  const deleteReplaced = async (replace: DayReplacement) => {
    const removed = await connection.runAndReadAll(
      `DELETE FROM ${quoteIdent(table)} WHERE _harvest_id = $harvest_id AND (${dayRangesSql(quoteIdent(replace.field), replace.days)})`,
      { harvest_id: context.harvestId }
    )
    const count = Number(removed.getRows()[0]?.[0] ?? 0)
    context.logger.info(`${table}: ${count} row(s) of ${replace.days.length} day(s) fetched again replaced`)
  }
  let closed = false

  return {
    async discardUncommitted(resume) {
      // Nothing of a later epoch ever reached the table: rows wait in this connection's staging
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
      await epoch.add(batch.records)
    },
    async flush(commit: SinkCommit) {
      const rows = epoch.rows
      try {
        epoch.finish()
      } catch (error) {
        // The appender may have flushed part of the epoch already: never merge it later.
        await emptyStaging()
        staged = 0
        throw error
      }
      staged += rows
      // Data and checkpoint commit together or not at all: exactly-once across crashes.
      await db.exclusive(async () => {
        await transaction(connection, async () => {
          if (replacing !== undefined) await deleteReplaced(replacing)
          if (staged > 0) await mergeStaged()
          await saveCheckpointSql(connection, context.stream, commit.checkpoint)
        })
        if (staged > 0) await emptyStaging()
        await db.releaseMemory(connection)
      })
      staged = 0
      replacing = undefined
    },
    async close() {
      if (closed) return
      closed = true
      if (staged + epoch.rows > 0) context.logger.debug(`${table}: ${staged + epoch.rows} staged row(s) of an unflushed epoch discarded on close`)
      try {
        epoch.discard()
        await connection.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(staging)}`)
      } finally {
        connection.closeSync()
        await releaseDuckDB(path)
      }
    },
    checkpoints: duckdbCheckpointStore(`duckdb:${path}`, context.stream, (task) => db.exclusive(() => task(connection)))
  }
}

/**
 * `duckdb:<file.duckdb>` or `duckdb::memory:`: one typed table per stream, one row per record key.
 * Batches are appended to a staging table; `flush` merges them into the table by key (last
 * version wins) and records the checkpoint in the same transaction. Re-delivered records
 * replace, never duplicate.
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
