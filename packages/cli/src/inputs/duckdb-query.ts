import { loadDuckDB } from "@tikflow/sinks/internal"

export interface QueryResult {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<unknown>>
}

/**
 * Runs SQL statements on a DuckDB database (`:memory:` or a file, opened read-only unless told
 * otherwise) and returns the last statement's rows as JS values; closes the database afterwards.
 */
export const queryDuckDb = async (
  database: string,
  statements: ReadonlyArray<string>,
  options: { readonly readOnly?: boolean } = {}
): Promise<QueryResult> => {
  const readOnly = options.readOnly ?? database !== ":memory:"
  const { DuckDBInstance } = await loadDuckDB()
  const instance = await DuckDBInstance.create(database, readOnly ? { access_mode: "READ_ONLY" } : {})
  try {
    const connection = await instance.connect()
    try {
      let result: QueryResult = { columns: [], rows: [] }
      for (const sql of statements) {
        const reader = await connection.runAndReadAll(sql)
        result = { columns: reader.columnNames(), rows: reader.getRowsJS() }
      }
      return result
    } finally {
      connection.closeSync()
    }
  } finally {
    instance.closeSync()
  }
}

/** A SQL string literal. */
export const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`

/** A SQL identifier, quoted. */
export const sqlIdentifier = (value: string): string => `"${value.replace(/"/g, '""')}"`
