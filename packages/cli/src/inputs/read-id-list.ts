import { stat } from "node:fs/promises"
import { join } from "node:path"
import { usageError } from "../cli-error.js"
import { MiB, readBoundedText } from "./read-bounded-text.js"

/** About three million ids: larger lists belong in Parquet or DuckDB, which are read by column. */
const MAX_ID_LIST_BYTES = 64 * MiB

/** What a list holds: usernames, or video ids (decimal strings). */
export type IdListKind = "username" | "video_id"

/** `-` names standard input, as for `--out ndjson:-`. */
const STDIN = "-"

const columnsFor: Record<IdListKind, ReadonlyArray<string>> = {
  username: ["username"],
  video_id: ["video_id", "id"]
}

const validFor: Record<IdListKind, (value: string) => boolean> = {
  username: (value) => /^[^\s,]{1,100}$/.test(value),
  video_id: (value) => /^\d{1,20}$/.test(value)
}

const expectedFor: Record<IdListKind, string> = {
  username: "a username",
  video_id: "a numeric video id"
}

/**
 * Reads the input list of `--usernames-from` / `--video-ids-from`: a text file (one per line,
 * blank lines and `#` comments skipped), a Parquet file or directory (column `username`, or
 * `video_id`/`id`), `duckdb:path.duckdb#table`, or `-`: standard input, as text lines. Distinct
 * values, in first-seen order.
 */
export const readIdList = async (flag: string, source: string, kind: IdListKind): Promise<ReadonlyArray<string>> => {
  const values = source === STDIN
    ? parseLines(flag, "standard input", await readStdin(flag), kind)
    : source.startsWith("duckdb:")
    ? await readDuckDbTable(flag, source, kind)
    : await isParquet(source)
      ? await readParquet(flag, source, kind)
      : await readTextFile(flag, source, kind)
  const distinct = [...new Set(values)]
  if (distinct.length === 0) throw usageError(`${flag}: ${source === STDIN ? "standard input" : source} holds no ${kind === "username" ? "usernames" : "video ids"}`)
  return distinct
}

const readTextFile = async (flag: string, path: string, kind: IdListKind): Promise<Array<string>> => {
  return parseLines(flag, path, readBoundedText(flag, path, MAX_ID_LIST_BYTES), kind)
}

const readStdin = async (flag: string): Promise<string> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of process.stdin) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk as Buffer
    size += bytes.length
    if (size > MAX_ID_LIST_BYTES) {
      process.stdin.destroy()
      throw usageError(`${flag}: standard input holds more than ${MAX_ID_LIST_BYTES / MiB} MiB, the most tikflow reads for it`)
    }
    chunks.push(bytes)
  }
  return Buffer.concat(chunks, size).toString("utf8")
}

/** One value per line; blank lines and `#` comments skipped; a bad line named by its number. */
const parseLines = (flag: string, shown: string, text: string, kind: IdListKind): Array<string> => {
  const values: Array<string> = []
  text.split(/\r?\n/).forEach((line, index) => {
    const value = line.trim()
    if (value === "" || value.startsWith("#")) return
    if (!validFor[kind](value)) {
      throw usageError(`${flag}: ${shown}:${index + 1}: expected ${expectedFor[kind]} per line, got ${JSON.stringify(value.slice(0, 60))}`)
    }
    values.push(value)
  })
  return values
}

const isParquet = async (path: string): Promise<boolean> => {
  if (/\.parquet$/i.test(path)) return true
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

const readParquet = async (flag: string, path: string, kind: IdListKind): Promise<Array<string>> => {
  let glob = path
  try {
    if ((await stat(path)).isDirectory()) glob = join(path, "**", "*.parquet")
  } catch (error) {
    throw usageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`)
  }
  const { sqlString } = await import("./duckdb-query.js")
  const relation = `read_parquet(${sqlString(glob)}, hive_partitioning = true)`
  return readColumn(flag, path, ":memory:", relation, kind)
}

const readDuckDbTable = async (flag: string, source: string, kind: IdListKind): Promise<Array<string>> => {
  const match = /^duckdb:(.+)#([A-Za-z_][A-Za-z0-9_]*)$/.exec(source)
  if (!match) throw usageError(`${flag}: expected duckdb:<file.duckdb>#<table>, got ${JSON.stringify(source)}`)
  const [, database, table] = match
  try {
    await stat(database)
  } catch (error) {
    throw usageError(`${flag}: cannot read ${database} (${(error as NodeJS.ErrnoException).code ?? "error"})`)
  }
  const { sqlIdentifier } = await import("./duckdb-query.js")
  return readColumn(flag, `${database}#${table}`, database, sqlIdentifier(table), kind)
}

const readColumn = async (
  flag: string,
  shown: string,
  database: string,
  relation: string,
  kind: IdListKind
): Promise<Array<string>> => {
  // DuckDB loads only for the inputs that need it (seconds a run from a text list should not pay).
  const { queryDuckDb, sqlIdentifier } = await import("./duckdb-query.js")
  let columns: ReadonlyArray<string>
  try {
    columns = (await queryDuckDb(database, [`SELECT * FROM ${relation} LIMIT 0`])).columns
  } catch (error) {
    throw usageError(`${flag}: cannot read ${shown}: ${firstLine(error)}`)
  }
  const column = columnsFor[kind].find((candidate) => columns.includes(candidate))
  if (!column) {
    throw usageError(`${flag}: ${shown} has no column ${columnsFor[kind].join(" or ")} (columns: ${columns.join(", ")})`)
  }
  const { rows } = await queryDuckDb(database, [
    `SELECT DISTINCT CAST(${sqlIdentifier(column)} AS VARCHAR) AS v FROM ${relation} WHERE ${sqlIdentifier(column)} IS NOT NULL`
  ])
  const values = rows.map((row) => String(row[0]))
  const bad = values.find((value) => !validFor[kind](value))
  if (bad !== undefined) throw usageError(`${flag}: ${shown}: column ${column} holds ${JSON.stringify(bad)}, expected ${expectedFor[kind]}`)
  return values
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]
