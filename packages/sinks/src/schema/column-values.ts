/**
 * Reads one field of every record into an array, `null` where the field is absent: a new one, or
 * `into` (a caller's reused array, its length set to the rows').
 */
export type ColumnValues = (rows: ReadonlyArray<unknown>, into?: Array<unknown>) => Array<unknown>

const cache = new Map<string, ColumnValues>()

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * The JavaScript expression that reads field `name` of `target`, for generated code: `target.name`
 * (a static property access) when the name is an identifier, else `target["name"]`.
 */
export const fieldRead = (target: string, name: string): string =>
  IDENTIFIER.test(name) ? `${target}.${name}` : `${target}[${JSON.stringify(name)}]`

/**
 * A reader compiled for one field name: a static property access stays monomorphic, where
 * `row[name]` in a shared loop is a megamorphic keyed load — 4× slower over 23 columns, and the
 * largest cost of building a RecordBatch. Field names come from the record kinds, never from input.
 */
export const columnValues = (name: string): ColumnValues => {
  let read = cache.get(name)
  if (read === undefined) {
    read = new Function(
      "rows",
      "into",
      `const out = into === undefined ? new Array(rows.length) : into
out.length = rows.length
for (let i = 0; i < rows.length; i++) { const v = ${fieldRead("rows[i]", name)}; out[i] = v === undefined ? null : v }
return out`
    ) as ColumnValues
    cache.set(name, read)
  }
  return read
}

/** A page's values, column by column (see {@link pageValues}). */
export interface PageValues {
  /** Every column's values of `records` (null where a field is absent), in the arrays reused page after page. */
  read(records: ReadonlyArray<unknown>): ReadonlyArray<Array<unknown>>
  /** Empties the arrays, so no record outlives its page here. */
  clear(): void
}

/**
 * Reads a page's values for the columns `names` into arrays reused page after page (a page's new
 * arrays, one a column, were garbage for the young generation), with a compiled reader per field.
 * The Parquet builder and the DuckDB appender both read their pages so.
 */
export const pageValues = (names: ReadonlyArray<string>): PageValues => {
  const readers = names.map(columnValues)
  const values = names.map((): Array<unknown> => [])
  return {
    read(records) {
      for (let c = 0; c < readers.length; c++) readers[c]!(records, values[c])
      return values
    },
    clear() {
      for (const column of values) column.fill(null)
    }
  }
}
