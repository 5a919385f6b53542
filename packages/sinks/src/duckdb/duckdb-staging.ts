import type { DuckDBConnection } from "@duckdb/node-api"
import type { ChangedValues, RecordKind } from "@tikflow/core/internal"
import type { Column } from "../schema/columns.js"
import { recordNameOf } from "../schema/refused-value.js"
import { epochAppender } from "./duckdb-chunks.js"
import { createStagingSql, quoteIdent, upsertFromStagingSql } from "./duckdb-tables.js"

type DuckDBApi = Parameters<typeof epochAppender>[1]

/**
 * One connection's staging table (temp tables are per connection) and the appender that fills it
 * with an epoch's rows; they reach the target table only by `merge`, inside the caller's
 * transaction with the checkpoint. The sink keeps two, by epoch parity, so epoch N+1 is appended
 * on one while epoch N merges from the other.
 */
export interface StagingLane {
  readonly connection: DuckDBConnection
  /** Rows added and not merged yet (in the staging table or still waiting for the appender). */
  readonly rows: number
  /** Resolves to the values stored changed (see `EpochAppender.add`). */
  add(records: ReadonlyArray<unknown>): Promise<ReadonlyArray<ChangedValues> | undefined>
  /**
   * Puts every added row in the staging table. If the epoch is broken (DuckDB refused a chunk),
   * throws after emptying the staging table, so it is never merged in part.
   */
  seal(): Promise<void>
  /** Moves the staged rows into the target, one row per key; run inside a transaction. */
  merge(): Promise<void>
  /** Empties the staging table after its rows were merged and committed. */
  merged(): Promise<void>
  /** Forgets what is staged, drops the staging table and closes the connection. */
  close(): Promise<void>
}

export const openStagingLane = async (
  connection: DuckDBConnection,
  api: DuckDBApi,
  target: { readonly table: string; readonly kind: RecordKind; readonly columns: ReadonlyArray<Column> }
): Promise<StagingLane> => {
  const { table, kind, columns } = target
  const staging = `_tikflow_stage_${table.replace(/[^A-Za-z0-9_]/g, "_")}`
  /** A fresh staging table rather than DELETE keeps rowids in append order ("last version wins"). */
  const emptyStaging = () => connection.run(createStagingSql(staging, table, columns))
  await emptyStaging()
  const upsertSql = upsertFromStagingSql(staging, table, kind, columns)
  // One appender per epoch: rows go to the staging table in whole data chunks.
  const epoch = epochAppender(columns, api, () => connection.createAppender(staging, "main", "temp"), recordNameOf(kind))
  /** Rows in the staging table, not merged yet. */
  let staged = 0
  return {
    connection,
    get rows() {
      return staged + epoch.rows
    },
    add: (records) => epoch.add(records),
    async seal() {
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
    },
    async merge() {
      if (staged === 0) return
      const [[unique]] = (await connection.runAndReadAll(upsertSql.stagedKeysUnique)).getRows()
      await connection.run(upsertSql.deleteStaged)
      await connection.run(unique === true ? upsertSql.insertAll : upsertSql.insertLast)
    },
    async merged() {
      if (staged > 0) await emptyStaging()
      staged = 0
    },
    async close() {
      try {
        epoch.discard()
        await connection.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(staging)}`)
      } finally {
        connection.closeSync()
      }
    }
  }
}
