import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, dirname, extname, join, resolve } from "node:path"
import { makeDirectory } from "@tikflow/core/internal"
import { loadDuckDB } from "./duckdb-library.js"
import { quoteIdent, quoteString } from "./duckdb-tables.js"

/**
 * One DuckDB instance per database path in the process, shared by every writer that targets it
 * (several streams → several tables in one file), with a lock that serializes their transactions
 * so concurrent flushes never conflict.
 */
export interface SharedDuckDB {
  readonly path: string
  readonly instance: DuckDBInstance
  /** Runs `task` while no other writer of this database is inside `exclusive`. */
  exclusive<A>(task: () => Promise<A>): Promise<A>
  /** Sets the instance's `memory_limit` and `threads` (writers of one database share them: the last opened sets them). */
  configure(connection: DuckDBConnection, settings: { readonly memoryLimit: string; readonly threads: number }): Promise<void>
  /**
   * Gives the memory DuckDB keeps after a merge back to the system; call it inside `exclusive`.
   * A writer never reads its table back, yet DuckDB keeps the blocks each merge scanned or wrote
   * cached up to `memory_limit`, and its allocator (jemalloc) keeps freed pages: the process grew
   * with the table (467 MB at 2M videos). Lowering the limit evicts the unpinned blocks and purges
   * the allocator's arenas (DuckDB does both in `SET memory_limit`); the limit is then restored.
   */
  releaseMemory(connection: DuckDBConnection): Promise<void>
}

/**
 * The limit a release lowers `memory_limit` to: what stays pinned between merges (the catalog, the
 * checkpoint table's index) fits; 1 MB did not always ("could not free up enough memory", which
 * leaves the limit as it was and the cache kept this time). Another writer's staged rows, if any,
 * go to DuckDB's temp directory until its merge reads them.
 */
const RELEASED_LIMIT = "8MB"

interface Entry {
  readonly db: Promise<SharedDuckDB>
  references: number
}

const entries = new Map<string, Entry>()

/**
 * Rows per row group in a database file the sink writes (DuckDB's default: 122,880). An epoch
 * (50,000 rows by default) smaller than a row group went into the table's last, partial row
 * group: through the WAL first, then every checkpoint compressed that whole row group again. With
 * row groups smaller than an epoch, a merge's insert writes each full row group to the file at once,
 * compressed (DuckDB's optimistic write), and keeps at most one in memory. 2M videos by the CLI:
 * see bench/findings.md (DuckDB / Peak RSS). Row groups of any size read back the same.
 */
export const ROW_GROUP_SIZE = 32_768

/** What `setup` makes of a new connection; the connection is closed when `setup` fails, never left open. */
export const setUpConnection = async <A>(connection: DuckDBConnection, setup: (connection: DuckDBConnection) => Promise<A>): Promise<A> => {
  try {
    return await setup(connection)
  } catch (error) {
    connection.closeSync()
    throw error
  }
}

/** Catalog names DuckDB holds itself: a file named so is attached under another name. */
const RESERVED_CATALOGS = new Set(["memory", "temp", "system", "main"])

/** The name DuckDB gives a file database it opens: the file's name without its extension. */
const catalogOf = (path: string): string => {
  const stem = basename(path, extname(path))
  return RESERVED_CATALOGS.has(stem.toLowerCase()) || stem === "" ? "tikflow" : stem
}

/**
 * Opens a database file with the row group size above. DuckDB takes it only as an `ATTACH`
 * option (no setting, not stored in the file), so the file is attached to an in-memory instance
 * under the name a direct open gives it, and every connection the returned instance makes starts
 * in it (`USE`): callers see the file's tables, and DuckDB spills to the same temp directory, as if
 * they had opened it directly.
 */
const openFile = async (DuckDBInstance: typeof import("@duckdb/node-api").DuckDBInstance, path: string): Promise<DuckDBInstance> => {
  // Where DuckDB spills when it opens the file itself; an in-memory instance would spill to `.tmp`
  // in the working directory, shared with every other process started there.
  const host = await DuckDBInstance.create(MEMORY, { temp_directory: `${path}.tmp` })
  const catalog = quoteIdent(catalogOf(path))
  try {
    const setup = await host.connect()
    try {
      await setup.run(`ATTACH ${quoteString(path)} AS ${catalog} (ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`)
    } finally {
      setup.closeSync()
    }
  } catch (error) {
    host.closeSync()
    throw error
  }
  const connect = async () =>
    setUpConnection(await host.connect(), async (connection) => {
      await connection.run(`USE ${catalog}`)
      return connection
    })
  return Object.create(host, { connect: { value: connect } }) as DuckDBInstance
}

export const MEMORY = ":memory:"

/**
 * Where a `:memory:` database spills: a directory of its own (0700) under the OS temp directory,
 * removed when the process exits. DuckDB's default is `.tmp` in the working directory, shared with
 * every other process started there (one run read another's temp file and failed) and left behind.
 */
const privateSpillDirectory = (): string => {
  const directory = mkdtempSync(join(tmpdir(), "tikflow-duckdb-"))
  process.once("exit", () => rmSync(directory, { recursive: true, force: true }))
  return directory
}

const keyOf = (path: string) => (path === MEMORY ? MEMORY : resolve(path))

const make = async (path: string): Promise<SharedDuckDB> => {
  const { DuckDBInstance } = await loadDuckDB()
  // As the file sinks create their directories, so does DuckDB's: `duckdb:./out/x.duckdb` just works.
  if (path !== MEMORY) await makeDirectory(dirname(path))
  const created = path !== MEMORY && !existsSync(path)
  const instance = await (path === MEMORY ? DuckDBInstance.create(MEMORY, { temp_directory: privateSpillDirectory() }) : openFile(DuckDBInstance, path)).catch(async (error: unknown) => {
    // A database file this call began to create (and a full disk cut short) holds nothing: leave
    // no torn header behind, which the next run could not open ("Could not read enough bytes").
    if (created) await Promise.all([rm(path, { force: true }), rm(`${path}.wal`, { force: true })])
    throw error
  })
  let tail: Promise<unknown> = Promise.resolve()
  /** The limit `configure` set last: what a release restores. */
  let memoryLimit: string | undefined
  return {
    path,
    instance,
    exclusive: <A>(task: () => Promise<A>) => {
      const run = tail.then(task, task)
      tail = run.catch(() => undefined)
      return run
    },
    configure: async (connection, settings) => {
      await connection.run(`SET GLOBAL memory_limit = ${quoteString(settings.memoryLimit)}`)
      await connection.run(`SET GLOBAL threads = ${settings.threads}`)
      memoryLimit = settings.memoryLimit
    },
    releaseMemory: async (connection) => {
      // A `:memory:` database's blocks are its data: lowering the limit would write them to temp files.
      if (memoryLimit === undefined || path === MEMORY) return
      const lowered = await connection.run(`SET GLOBAL memory_limit = ${quoteString(RELEASED_LIMIT)}`).then(() => true, () => false)
      if (lowered) await connection.run(`SET GLOBAL memory_limit = ${quoteString(memoryLimit)}`)
    }
  }
}

/** Takes a reference to the shared instance for `path`; `releaseDuckDB` gives it back. */
export const acquireDuckDB = (path: string): Promise<SharedDuckDB> => {
  const key = keyOf(path)
  let entry = entries.get(key)
  if (entry === undefined) {
    const db = make(key)
    entry = { db, references: 0 }
    entries.set(key, entry)
    db.catch(() => entries.delete(key))
  }
  entry.references++
  return entry.db
}

/**
 * Gives back a reference. A file database closes when its last writer is done, so other
 * processes can open it; `:memory:` stays open for the process (closing it would lose the data),
 * reachable through `sharedDuckDB(":memory:")`.
 */
export const releaseDuckDB = async (path: string): Promise<void> => {
  const key = keyOf(path)
  const entry = entries.get(key)
  if (entry === undefined) return
  entry.references--
  if (entry.references <= 0 && key !== MEMORY) {
    entries.delete(key)
    ;(await entry.db).instance.closeSync()
  }
}

/** The DuckDB instance the duckdb sink writes to for `path` (opened if needed), e.g. to query `:memory:` results. */
export const sharedDuckDB = async (path: string): Promise<DuckDBInstance> => {
  const key = keyOf(path)
  const entry = entries.get(key)
  if (entry !== undefined) return (await entry.db).instance
  // Not held by a writer: open without a reference (a file path) or keep it (`:memory:`).
  const db = await acquireDuckDB(path)
  if (key !== MEMORY) entries.get(key)!.references--
  return db.instance
}
