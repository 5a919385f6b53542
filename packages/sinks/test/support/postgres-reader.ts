import type { RecordKind } from "@tikflow/core/internal"
import pg from "pg"
import { columnsOf, restoreNulFields } from "../../src/internal.js"

/** Reads a sink table back as records: bigint columns as BigInt, NUL escapes undone, in key order. */
export const readTable = async (uri: string, table: string, kind: RecordKind): Promise<Array<Record<string, unknown>>> => {
  const client = new pg.Client({ connectionString: uri, types: { getTypeParser: (oid, format) => (oid === 20 ? BigInt : pg.types.getTypeParser(oid, format as never)) as never } })
  await client.connect()
  try {
    const { rows } = await client.query(`SELECT * FROM ${table}`)
    return rows.map((row) => restoreNulFields(row as Record<string, unknown>)).map((row) => {
      const out: Record<string, unknown> = {}
      for (const column of columnsOf(kind)) out[column.name] = row[column.name]
      return out
    })
  } finally {
    await client.end()
  }
}

/** A record as the table should hold it: int64 fields as BigInt, absent fields null. */
export const asStored = (kind: RecordKind, record: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const column of columnsOf(kind)) {
    const value = record[column.name] ?? null
    out[column.name] = value !== null && column.type === "int64" ? BigInt(value as number) : value
  }
  return out
}

export const sql = async <R = Record<string, unknown>>(uri: string, text: string, params: Array<unknown> = []): Promise<Array<R>> => {
  const client = new pg.Client({ connectionString: uri })
  await client.connect()
  try {
    return (await client.query(text, params)).rows as Array<R>
  } finally {
    await client.end()
  }
}
