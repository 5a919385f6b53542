import type { Client } from "pg"
import type { PostgresConnection } from "./postgres-connection.js"

/**
 * One connection of a writer, with its statements run one at a time (the writer's COPYs and
 * merges and its checkpoint store's reads share it) and failures told in one line that names
 * the connection without its password.
 */
export interface PostgresStatements {
  query<R = Record<string, unknown>>(sql: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>>
  /**
   * `COPY … FROM STDIN` with `chunks` as the rows, pulled one at a time as the connection takes
   * them (the server loads one chunk while the next is encoded). A chunk that fails to come
   * cancels the COPY: nothing of it stays.
   */
  copyIn(sql: string, chunks: Iterable<Uint8Array>): Promise<void>
}

export interface PostgresSession extends PostgresStatements {
  /** Runs `body` inside BEGIN … COMMIT (ROLLBACK on failure), after the session's earlier work. */
  transaction<A>(body: (tx: PostgresStatements) => Promise<A>): Promise<A>
  /** An error naming the server as the session's own failures do, for what its users find wrong. */
  failure(message: string, cause?: unknown): Error
  close(): Promise<void>
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]!

const connectError = (where: string | undefined, error: unknown): Error => {
  const code = (error as { code?: string }).code
  const hint = code === "3D000" ? " (create it, or name another database in the URI)" : code === "28P01" ? " (check the password in the URI, PGPASSWORD, the service file or ~/.pgpass)" : ""
  return new Error(`connecting${where === undefined ? "" : ` to ${where}`}: ${messageOf(error)}${hint}`, { cause: error })
}

/**
 * Connects. `where` is how the session's errors name the server (`describeConnection`: never its
 * password), or undefined when every message they reach starts with it already: a sink's failures
 * start with its name, which names the server when its URI does (it said it twice).
 */
export const openSession = async (connection: PostgresConnection, where: string | undefined): Promise<PostgresSession> => {
  // Loaded on first use: runs without a postgres sink never load the client.
  const pg = (await import("pg")).default
  const { from: copyFrom } = (await import("pg-copy-streams")).default
  const client: Client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: connection.ssl === false ? false : { ...connection.ssl },
    connectionTimeoutMillis: connection.connectTimeoutSeconds * 1000,
    application_name: "tikflow"
  })
  // A connection lost while idle is reported on the next statement, not as an uncaught event.
  let lost: Error | undefined
  client.on("error", (error) => void (lost ??= error))
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => undefined)
    throw connectError(where, error)
  }
  const failure = (message: string, cause?: unknown): Error => new Error(where === undefined ? message : `${where}: ${message}`, { cause })
  const fail = (error: unknown): never => {
    // The SQLSTATE stays on the error (`23505` for a duplicate key): callers branch on it.
    throw Object.assign(failure(messageOf(lost ?? error), error), { code: (error as { code?: unknown }).code })
  }
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <A>(task: () => Promise<A>): Promise<A> => {
    const run = tail.then(task, task)
    tail = run.catch(() => undefined)
    return run
  }
  const query = async <R>(sql: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>> => {
    if (lost !== undefined) fail(lost)
    try {
      return (await client.query(sql, params as Array<unknown> | undefined)).rows as ReadonlyArray<R>
    } catch (error) {
      return fail(error)
    }
  }
  const copyIn = async (sql: string, chunks: Iterable<Uint8Array>): Promise<void> => {
    if (lost !== undefined) fail(lost)
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = client.query(copyFrom(sql))
        stream.on("error", reject)
        stream.on("finish", resolve)
        const rows = chunks[Symbol.iterator]()
        const pump = () => {
          try {
            for (;;) {
              const next = rows.next()
              if (next.done === true) return void stream.end()
              if (!stream.write(next.value)) return void stream.once("drain", pump)
            }
          } catch (error) {
            stream.destroy(error as Error)
          }
        }
        pump()
      })
    } catch (error) {
      fail(error)
    }
  }
  const tx: PostgresStatements = { query, copyIn }
  return {
    query: (sql, params) => serial(() => query(sql, params)),
    copyIn: (sql, chunks) => serial(() => copyIn(sql, chunks)),
    transaction: (body) =>
      serial(async () => {
        await query("BEGIN")
        try {
          const result = await body(tx)
          await query("COMMIT")
          return result
        } catch (error) {
          if (lost === undefined) await client.query("ROLLBACK").catch(() => undefined)
          throw error
        }
      }),
    failure,
    close: () => serial(() => client.end().catch(() => undefined))
  }
}
