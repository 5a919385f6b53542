import type { RecordKind } from "@tikflow/core"
import { recordKinds } from "@tikflow/core"
import type { ColumnType } from "../schema/columns.js"
import { columnsOf } from "../schema/columns.js"

export const quoteIdent = (name: string): string => `"${name.replaceAll("\"", "\"\"")}"`
export const quoteString = (value: string): string => `'${value.replaceAll("'", "''")}'`

const sqlType = (type: ColumnType): string => {
  switch (type) {
    case "utf8": return "VARCHAR"
    case "int64": return "BIGINT"
    case "bool": return "BOOLEAN"
    case "list_utf8": return "VARCHAR[]"
  }
}

/** `CREATE TABLE IF NOT EXISTS` for a stream's table: typed columns, primary key on the record key. */
export const createTableSql = (table: string, kind: RecordKind): string => {
  const columns = columnsOf(kind).map((c) => `${quoteIdent(c.name)} ${sqlType(c.type)}${c.nullable ? "" : " NOT NULL"}`)
  const key = recordKinds[kind].primaryKey.map(quoteIdent).join(", ")
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${columns.join(", ")}, PRIMARY KEY (${key}))`
}

/** A connection-private staging table shaped like the target (temp tables vanish with the connection). */
export const createStagingSql = (staging: string, table: string): string =>
  `CREATE OR REPLACE TEMP TABLE ${quoteIdent(staging)} AS SELECT * FROM ${quoteIdent(table)} LIMIT 0`

/**
 * Moves staged rows into the target, replacing rows with the same key: delete the staged keys,
 * then insert the last staged version of each key (DuckDB's `INSERT OR REPLACE` is about 4× slower
 * when most keys already exist). Run both in one transaction.
 */
export const upsertFromStagingSql = (staging: string, table: string, kind: RecordKind): ReadonlyArray<string> => {
  const columns = columnsOf(kind).map((c) => quoteIdent(c.name)).join(", ")
  const key = recordKinds[kind].primaryKey.map(quoteIdent)
  const stage = `temp.main.${quoteIdent(staging)}`
  return [
    `DELETE FROM ${quoteIdent(table)} AS t USING ${stage} AS s WHERE ${key.map((k) => `t.${k} = s.${k}`).join(" AND ")}`,
    `INSERT INTO ${quoteIdent(table)} (${columns}) SELECT ${columns} FROM ` +
      `(SELECT *, row_number() OVER (PARTITION BY ${key.join(", ")} ORDER BY rowid DESC) AS _tikflow_rank FROM ${stage}) ` +
      "WHERE _tikflow_rank = 1"
  ]
}

export const CHECKPOINT_TABLE = "_tikflow_checkpoints"

export const createCheckpointTableSql =
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (harvest_id VARCHAR NOT NULL, stream VARCHAR NOT NULL, ` +
  "epoch BIGINT NOT NULL, state VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, PRIMARY KEY (harvest_id, stream))"
