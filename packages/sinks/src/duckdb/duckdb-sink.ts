import type { DuckDBConnection } from "@duckdb/node-api"
import { ConfigError, defineSink } from "@tikflow/core"
import type { SinkBatch, SinkCommit, SinkContext, SinkTarget, SinkWriter } from "@tikflow/core"
import { readLocation, readString, rejectUnknownOptions } from "@tikflow/core"
import { columnsOf } from "../schema/columns.js"
import { columnwiseAppend } from "./duckdb-chunks.js"
import { duckdbCheckpointStore, saveCheckpointSql } from "./duckdb-checkpoint-store.js"
import { acquireDuckDB, releaseDuckDB } from "./duckdb-instances.js"
import { addAddedColumnsSql, createCheckpointTableSql, createStagingSql, createTableSql, quoteIdent, upsertFromStagingSql } from "./duckdb-tables.js"

export interface DuckDBSinkConfig {
  /** A database file, or `:memory:`. */
  readonly path: string
  /** Prepended to each stream's table name. */
  readonly tablePrefix: string
}

const parseConfig = (target: SinkTarget): DuckDBSinkConfig => {
  rejectUnknownOptions(target, ["table_prefix"])
  const tablePrefix = readString(target, "table_prefix") ?? ""
  if (!/^[A-Za-z0-9_]*$/.test(tablePrefix)) throw ConfigError.make("table_prefix", "letters, digits and _", tablePrefix)
  return { path: readLocation(target, "a database file or :memory:"), tablePrefix }
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
  const { path, tablePrefix } = context.config
  const api = await import("@duckdb/node-api")
  const db = await acquireDuckDB(path)
  let connection: DuckDBConnection
  try {
    connection = await db.instance.connect()
  } catch (error) {
    await releaseDuckDB(path)
    throw error
  }
  const table = `${tablePrefix}${context.stream}`
  const staging = `_tikflow_stage_${table.replace(/[^A-Za-z0-9_]/g, "_")}`
  const kind = context.recordKind
  const columns = columnsOf(kind, context.addedFields)
  const append = columnwiseAppend(columns, api)
  await db.exclusive(async () => {
    await connection.run(createTableSql(table, columns))
    for (const statement of addAddedColumnsSql(table, columns)) await connection.run(statement)
    await connection.run(createCheckpointTableSql)
  })
  await connection.run(createStagingSql(staging, table, columns))
  const upsertSql = upsertFromStagingSql(staging, table, kind, columns)
  let staged = 0
  let closed = false

  return {
    async write(batch: SinkBatch) {
      if (batch.records.length === 0) return
      // Rows go to this connection's staging table now; they reach the target only with a checkpoint.
      const appender = await connection.createAppender(staging, "main", "temp")
      try {
        append(appender, batch.records)
      } finally {
        appender.closeSync()
      }
      staged += batch.records.length
    },
    async flush(commit: SinkCommit) {
      // Data and checkpoint commit together or not at all: exactly-once across crashes.
      await db.exclusive(() =>
        transaction(connection, async () => {
          if (staged > 0) for (const statement of upsertSql) await connection.run(statement)
          await saveCheckpointSql(connection, context.stream, commit.checkpoint)
        })
      )
      // A fresh staging table rather than DELETE keeps rowids in append order ("last version wins").
      if (staged > 0) await connection.run(createStagingSql(staging, table, columns))
      staged = 0
    },
    async close() {
      if (closed) return
      closed = true
      if (staged > 0) context.logger.debug(`${table}: ${staged} staged row(s) of an unflushed epoch discarded on close`)
      try {
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
  contract: 1,
  name: "duckdb",
  schemes: ["duckdb"],
  description: "DuckDB tables per stream, upserted on the primary key, checkpoints in the same transaction",
  options: { table_prefix: "prepended to each stream's table name (default none)" },
  config: { parse: parseConfig },
  open: openWriter
})
