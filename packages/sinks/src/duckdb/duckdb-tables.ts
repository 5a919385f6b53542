import type { RecordKind } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import type { Column, ColumnType } from "../schema/columns.js"

export const quoteIdent = (name: string): string => `"${name.replaceAll("\"", "\"\"")}"`
export const quoteString = (value: string): string => `'${value.replaceAll("'", "''")}'`

const sqlType = (type: ColumnType): string => {
  switch (type) {
    case "utf8": return "VARCHAR"
    case "int64": return "BIGINT"
    case "float64": return "DOUBLE"
    case "bool": return "BOOLEAN"
    case "list_utf8": return "VARCHAR[]"
    case "json": return "VARCHAR"
  }
}

/**
 * `CREATE TABLE IF NOT EXISTS` for a stream's table: typed columns, key columns NOT NULL. No
 * PRIMARY KEY: its ART index made every upsert of existing keys ~10× slower in a database file
 * (scripts/measure-duckdb.mjs), and the merge below keeps one row per key by itself — the sink is
 * the table's only writer and its merges are serialized per database. Tables an older version
 * created with a primary key keep it and still work.
 */
export const createTableSql = (table: string, columns: ReadonlyArray<Column>): string => {
  const definitions = columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c.type)}${c.nullable ? "" : " NOT NULL"}`)
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${definitions.join(", ")})`
}

/**
 * `ALTER TABLE … ADD COLUMN IF NOT EXISTS` for the columns of fields a transform added: a table
 * created by a run without the join gains them (null in its earlier rows).
 */
export const addAddedColumnsSql = (table: string, columns: ReadonlyArray<Column>): ReadonlyArray<string> =>
  columns
    .filter((c) => c.type === "json")
    .map((c) => `ALTER TABLE ${quoteIdent(table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${sqlType(c.type)}`)

/**
 * A connection-private staging table with this writer's columns, typed as the target's (temp tables
 * vanish with the connection). Target columns this run does not write (a join's, from an earlier
 * run) get NULL on insert.
 */
export const createStagingSql = (staging: string, table: string, columns: ReadonlyArray<Column>): string =>
  `CREATE OR REPLACE TEMP TABLE ${quoteIdent(staging)} AS SELECT ${columns.map((c) => quoteIdent(c.name)).join(", ")} FROM ${quoteIdent(table)} LIMIT 0`

/**
 * Moves staged rows into the target, one row per key: delete the target rows whose key is staged,
 * then insert the last staged version of each key (staging rowids follow append order). Measured
 * on a table without an index, this is as fast for existing keys as for new ones; DuckDB's
 * `INSERT OR REPLACE` / `ON CONFLICT DO UPDATE` need a primary key and were 5× slower still.
 * Run both in one transaction.
 */
export const upsertFromStagingSql = (staging: string, table: string, kind: RecordKind, writerColumns: ReadonlyArray<Column>): ReadonlyArray<string> => {
  const columns = writerColumns.map((c) => quoteIdent(c.name)).join(", ")
  const key = recordKinds[kind].primaryKey.map(quoteIdent)
  const stage = `temp.main.${quoteIdent(staging)}`
  return [
    `DELETE FROM ${quoteIdent(table)} AS t USING ${stage} AS s WHERE ${key.map((k) => `t.${k} = s.${k}`).join(" AND ")}`,
    `INSERT INTO ${quoteIdent(table)} (${columns}) SELECT ${columns} FROM ${stage} ` +
      `QUALIFY row_number() OVER (PARTITION BY ${key.join(", ")} ORDER BY rowid DESC) = 1`
  ]
}

export const CHECKPOINT_TABLE = "_tikflow_checkpoints"

export const createCheckpointTableSql =
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (harvest_id VARCHAR NOT NULL, stream VARCHAR NOT NULL, ` +
  "epoch BIGINT NOT NULL, state VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, PRIMARY KEY (harvest_id, stream))"
