import { readdirSync, readFileSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { DuckDBInstance } from "@duckdb/node-api"

/** Rows of a SQL query over a DuckDB file or, with `:memory:`, over files it reads (Parquet, …). */
export const query = async (database: string, sql: string): Promise<Array<Record<string, unknown>>> => {
  const instance = await DuckDBInstance.create(database, database === ":memory:" ? {} : { access_mode: "READ_ONLY" })
  try {
    const connection = await instance.connect()
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>
    } finally {
      connection.closeSync()
    }
  } finally {
    instance.closeSync()
  }
}

export const readNdjson = (path: string): Array<Record<string, unknown>> =>
  readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>)

/** apache-arrow as the sinks package resolves it (the CLI does not depend on it): an independent reader. */
const arrow = createRequire(fileURLToPath(new URL("../../../sinks/package.json", import.meta.url)))("apache-arrow") as {
  tableFromIPC(bytes: Uint8Array): { numRows: number; getChild(name: string): Iterable<unknown> | null }
}

/** Every row's `column` across the Arrow IPC files under `dir` (null where a row has none). */
export const readArrowColumn = (dir: string, column: string): Array<unknown> => {
  const values: Array<unknown> = []
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (/\.arrows?$/.test(name)) values.push(...Array.from(arrow.tableFromIPC(readFileSync(full)).getChild(column) ?? []))
    }
  }
  walk(dir)
  return values
}
