import { DuckDBInstance } from "@duckdb/node-api"

/** An independent reader: a fresh in-memory DuckDB that reads files back with SQL. */
export const duckdbQuery = async (sql: string): Promise<Array<Record<string, unknown>>> => {
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  try {
    const reader = await connection.runAndReadAll(sql)
    return reader.getRowObjectsJS() as Array<Record<string, unknown>>
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`
