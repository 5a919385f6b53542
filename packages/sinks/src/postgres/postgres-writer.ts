// The PostgreSQL sink's writer: loaded when a postgres sink opens (postgres-sink.ts defines the sink).
import type { SinkBatch, SinkCommit, SinkContext, SinkWriter } from "@tikflow/core/internal"
import type { Column } from "../schema/columns.js"
import { assertColumnsHoldFields, columnsOf } from "../schema/columns.js"
import { dayRangesSql } from "../schema/day-ranges-sql.js"
import { recordNameOf } from "../schema/refused-value.js"
import { postgresCheckpointStore, saveCheckpoint } from "./postgres-checkpoint-store.js"
import type { PostgresSinkConfig } from "./postgres-config.js"
import { describeConnection, resolveConnection } from "./postgres-connection.js"
import { copyTextEncoder } from "./postgres-copy-text.js"
import type { PostgresSession } from "./postgres-session.js"
import { openSession } from "./postgres-session.js"
import { epochLoader } from "./postgres-epoch.js"
import {
  addAddedColumnsSql, CHECKPOINT_TABLE, copyIntoSql, createCheckpointTableSql, createStagingSql, createTableSql, mergeFromStagingSql, quoteIdent
} from "./postgres-tables.js"

// Any constant: writers of every process take it while creating tables, so two creating the same
// table at once do not collide in the catalog.
const DDL_LOCK = 7_202_611_400

/** Creates the schema (if missing and allowed), the stream's table and the checkpoint table. */
const ensureTables = (session: PostgresSession, schema: string, table: string, kind: SinkContext["recordKind"], columns: ReadonlyArray<Column>) =>
  session.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [DDL_LOCK])
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE right even when the schema exists.
    const [found] = await tx.query("SELECT 1 AS found FROM pg_namespace WHERE nspname = $1", [schema])
    if (found === undefined) await tx.query(`CREATE SCHEMA ${quoteIdent(schema)}`)
    await tx.query(createTableSql(table, kind, columns))
    for (const sql of addAddedColumnsSql(table, columns)) await tx.query(sql)
    await tx.query(createCheckpointTableSql(schema))
  })

export const openPostgresWriter = async (context: SinkContext<PostgresSinkConfig>): Promise<SinkWriter> => {
  const { endpoint, schema, tablePrefix } = context.config
  const connection = resolveConnection(endpoint)
  // The sink's name (the URI without user info) names the server when the URI gives its host;
  // else (a service file, PG* variables) the session's errors say where it connected. Either way once.
  const where = endpoint.host === undefined ? describeConnection(connection) : undefined
  const session = await openSession(connection, where)
  const kind = context.recordKind
  const columns = columnsOf(kind, context.addedFields, context.provenance)
  const name = `${tablePrefix}${context.stream}`
  const table = `${quoteIdent(schema)}.${quoteIdent(name)}`
  const checkpointTable = `${quoteIdent(schema)}.${CHECKPOINT_TABLE}`
  const staging = `_tikflow_stage_${name}`
  try {
    await ensureTables(session, schema, table, kind, columns)
    await session.query(createStagingSql(staging, columns))
  } catch (error) {
    await session.close()
    throw error
  }
  const epoch = epochLoader(session, {
    copyIntoTable: copyIntoSql(table, columns),
    copyIntoStaging: copyIntoSql(quoteIdent(staging), columns),
    merge: [mergeFromStagingSql(staging, table, kind, columns), `TRUNCATE ${quoteIdent(staging)}`]
  }, copyTextEncoder(columns, recordNameOf(kind)))
  let closed = false

  return {
    async discardUncommitted(resume) {
      // A later epoch never reached the table (each epoch is one transaction with its checkpoint).
      // A harvest that starts over (no resume point, e.g. --fresh) drops the rows it stored before.
      if (resume !== undefined) return
      if (context.provenance !== true) {
        context.logger.debug(`${name}: without provenance columns the rows of harvest ${context.harvestId} cannot be told apart; earlier rows stay`)
        return
      }
      await session.query(`DELETE FROM ${table} WHERE _harvest_id = $1`, [context.harvestId])
    },
    async replaceDays(replace) {
      if (context.provenance !== true) {
        context.logger.debug(`${name}: without provenance columns the rows of harvest ${context.harvestId} cannot be told apart; re-fetched rows update theirs by key`)
        return
      }
      // In the next epoch's transaction, before its rows: the earlier rows go only with their replacement.
      epoch.beginWith(`DELETE FROM ${table} WHERE _harvest_id = $1 AND (${dayRangesSql(quoteIdent(replace.field), replace.days)})`, [context.harvestId])
    },
    async write(batch: SinkBatch) {
      if (batch.records.length === 0) return
      assertColumnsHoldFields(columns, batch.records)
      // NUL escapes and lone surrogates: the run counts them once the epoch commits.
      return epoch.write(batch.records)
    },
    async flush(commit: SinkCommit) {
      // Data and checkpoint commit together or not at all: exactly-once across crashes.
      await epoch.commit((tx) => saveCheckpoint(tx, checkpointTable, context.stream, commit.checkpoint))
    },
    async close() {
      if (closed) return
      closed = true
      await epoch.drain()
      if (epoch.pending > 0) context.logger.debug(`${name}: ${epoch.pending} row(s) of an unflushed epoch discarded on close`)
      // Closing the connection rolls back an open epoch and drops the (temporary) staging table.
      await session.close()
    },
    checkpoints: postgresCheckpointStore(where === undefined ? `${describeConnection(connection)}?schema=${schema}` : `schema ${schema}`, checkpointTable, context.stream, session)
  }
}
