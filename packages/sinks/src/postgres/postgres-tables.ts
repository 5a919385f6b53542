import type { RecordKind } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import type { Column, ColumnType } from "../schema/columns.js"

export const quoteIdent = (name: string): string => `"${name.replaceAll("\"", "\"\"")}"`

/** Names the fields of a row whose values held NUL characters and are stored escaped (see postgres-nul.ts). */
export const NUL_FIELDS_COLUMN = "_tikflow_nul_fields"
/** The staging table's write order (an identity column COPY fills): the merge keeps the last version of each key. */
const SEQUENCE_COLUMN = "_tikflow_seq"

export const CHECKPOINT_TABLE = "_tikflow_checkpoints"

// Ids stay `text`, as in DuckDB and Parquet: the API sends them as strings, they are only compared,
// and text keeps them byte-identical (numeric(20) would need a conversion both ways).
const sqlType = (type: ColumnType): string => {
  switch (type) {
    case "utf8": return "text"
    case "int64": return "bigint"
    case "float64": return "double precision"
    case "bool": return "boolean"
    case "list_utf8": return "text[]"
    case "json": return "text"
  }
}

const keyOf = (kind: RecordKind) => recordKinds[kind].primaryKey.map(quoteIdent).join(", ")

/** The writer's column names in COPY order: the record's fields (and added ones), then the NUL marker. */
export const copyColumns = (columns: ReadonlyArray<Column>): string =>
  [...columns.map((c) => quoteIdent(c.name)), quoteIdent(NUL_FIELDS_COLUMN)].join(", ")

/** A stream's table: typed columns, the record kind's primary key, the NUL marker. */
export const createTableSql = (table: string, kind: RecordKind, columns: ReadonlyArray<Column>): string => {
  const definitions = columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c.type)}${c.nullable ? "" : " NOT NULL"}`)
  return `CREATE TABLE IF NOT EXISTS ${table} (${definitions.join(", ")}, ${quoteIdent(NUL_FIELDS_COLUMN)} text[], PRIMARY KEY (${keyOf(kind)}))`
}

/** Added columns (a transform's fields as JSON text, provenance), added to a table an earlier run created without them. */
export const addAddedColumnsSql = (table: string, columns: ReadonlyArray<Column>): ReadonlyArray<string> =>
  columns.filter((c) => c.added === true).map((c) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${sqlType(c.type)}`)

/**
 * A session-private staging table (temporary: never WAL-logged, gone with the connection, so rows
 * of a crashed run vanish with it). No constraints: COPY into it is the fastest load there is.
 */
export const createStagingSql = (staging: string, columns: ReadonlyArray<Column>): string => {
  const definitions = columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c.type)}`)
  return `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdent(staging)} (${definitions.join(", ")}, ${quoteIdent(NUL_FIELDS_COLUMN)} text[], ` +
    `${quoteIdent(SEQUENCE_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY)`
}

/** COPY into `table` (the stream's table or its staging table): the same rows fit both. */
export const copyIntoSql = (table: string, columns: ReadonlyArray<Column>): string => `COPY ${table} (${copyColumns(columns)}) FROM STDIN`

/**
 * Moves the staged rows into the table, one row per key: the last staged version of each key
 * (`DISTINCT ON` by write order) is inserted, replacing the row a key already has. One statement;
 * the caller runs it with the checkpoint in one transaction.
 */
export const mergeFromStagingSql = (staging: string, table: string, kind: RecordKind, writerColumns: ReadonlyArray<Column>): string => {
  const columns = copyColumns(writerColumns)
  const keys = new Set<string>(recordKinds[kind].primaryKey)
  const updates = [...writerColumns.map((c) => c.name).filter((name) => !keys.has(name)), NUL_FIELDS_COLUMN]
    .map((name) => `${quoteIdent(name)} = EXCLUDED.${quoteIdent(name)}`)
  return `INSERT INTO ${table} (${columns}) SELECT DISTINCT ON (${keyOf(kind)}) ${columns} FROM ${quoteIdent(staging)} ` +
    `ORDER BY ${keyOf(kind)}, ${quoteIdent(SEQUENCE_COLUMN)} DESC ON CONFLICT (${keyOf(kind)}) DO UPDATE SET ${updates.join(", ")}`
}

export const createCheckpointTableSql = (schema: string): string =>
  `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.${CHECKPOINT_TABLE} (harvest_id text NOT NULL, stream text NOT NULL, ` +
  "epoch bigint NOT NULL, state text NOT NULL, updated_at text NOT NULL, PRIMARY KEY (harvest_id, stream))"
