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
 * `ALTER TABLE … ADD COLUMN IF NOT EXISTS` for the added columns (a transform's fields, provenance):
 * a table created by a run without them gains them (null in its earlier rows).
 */
export const addAddedColumnsSql = (table: string, columns: ReadonlyArray<Column>): ReadonlyArray<string> =>
  columns
    .filter((c) => c.added === true)
    .map((c) => `ALTER TABLE ${quoteIdent(table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${sqlType(c.type)}`)

/**
 * A connection-private staging table with this writer's columns, typed as the target's (temp tables
 * vanish with the connection). Target columns this run does not write (a join's, from an earlier
 * run) get NULL on insert.
 */
export const createStagingSql = (staging: string, table: string, columns: ReadonlyArray<Column>): string =>
  `CREATE OR REPLACE TEMP TABLE ${quoteIdent(staging)} AS SELECT ${columns.map((c) => quoteIdent(c.name)).join(", ")} FROM ${quoteIdent(table)} LIMIT 0`

/** The statements of a merge; `run` picks the insert by `stagedKeysUnique`'s answer. */
export interface UpsertSql {
  /** Deletes the target rows whose key is staged. */
  readonly deleteStaged: string
  /** One boolean: does every staged row have its own key (no key staged twice)? */
  readonly stagedKeysUnique: string
  /** Inserts every staged row: right when keys are unique. */
  readonly insertAll: string
  /** Inserts the last staged version of each key (staging rowids follow append order). */
  readonly insertLast: string
}

/**
 * Moves staged rows into the target, one row per key: delete the target rows whose key is staged,
 * then insert the staged rows — all of them when no key repeats in the epoch (the common case
 * behind dedupe; a plain insert is ~2× cheaper than ranking versions), else the last version of
 * each. Measured on a table without an index, this is as fast for existing keys as for new ones;
 * DuckDB's `INSERT OR REPLACE` / `ON CONFLICT DO UPDATE` need a primary key and were 5× slower
 * still. Run them in one transaction.
 *
 * The delete costs the epoch, not the table, for the API's ids: their leading digits are the
 * creation time, so DuckDB reads only the row groups whose key range (zone maps) the join's
 * min/max filter of the staged keys overlaps (2M rows: ~5 ms per 50k-row epoch). Keys without that
 * order (user names) scan the key column, ~14 ns per stored row. Keep `t.<key>` bare in the
 * condition: an expression on it turns every epoch into a full scan (duckdb-merge.test.ts).
 */
export const upsertFromStagingSql = (staging: string, table: string, kind: RecordKind, writerColumns: ReadonlyArray<Column>): UpsertSql => {
  const columns = writerColumns.map((c) => quoteIdent(c.name)).join(", ")
  const key = recordKinds[kind].primaryKey.map(quoteIdent)
  const stage = `temp.main.${quoteIdent(staging)}`
  const insert = `INSERT INTO ${quoteIdent(table)} (${columns}) SELECT ${columns} FROM ${stage}`
  return {
    deleteStaged: `DELETE FROM ${quoteIdent(table)} AS t USING ${stage} AS s WHERE ${key.map((k) => `t.${k} = s.${k}`).join(" AND ")}`,
    stagedKeysUnique: `SELECT count(*) = count(DISTINCT (${key.join(", ")})) FROM ${stage}`,
    insertAll: insert,
    insertLast: `${insert} QUALIFY row_number() OVER (PARTITION BY ${key.join(", ")} ORDER BY rowid DESC) = 1`
  }
}

export const CHECKPOINT_TABLE = "_tikflow_checkpoints"

export const createCheckpointTableSql =
  `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (harvest_id VARCHAR NOT NULL, stream VARCHAR NOT NULL, ` +
  "epoch BIGINT NOT NULL, state VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, PRIMARY KEY (harvest_id, stream))"
