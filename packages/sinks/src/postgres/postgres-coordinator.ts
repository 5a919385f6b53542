import { parsePostgresConfig } from "./postgres-config.js"
import { describeConnection, resolveConnection } from "./postgres-connection.js"
import type { PostgresSession, PostgresStatements } from "./postgres-session.js"
import { openSession } from "./postgres-session.js"
import { quoteIdent } from "./postgres-tables.js"

/** A connection to the `--coordinator` database and the schema its tables go in. */
export interface CoordinatorConnection {
  readonly session: PostgresSession
  readonly schema: string
  /** `postgres://user@host:port/db?schema=…`, without the password: how messages name it. */
  readonly location: string
}

/**
 * Connects to `postgres://…[?schema=…]` (credentials as for the postgres sink: the URI, a service
 * file, `PG*` variables, `~/.pgpass`) and creates the schema if missing, then runs `createTables`
 * under one advisory lock, so processes starting together do not collide in the catalog.
 */
export const openCoordinator = async (
  uri: string,
  lock: number,
  createTables: (tx: PostgresStatements, schema: string) => Promise<void>
): Promise<CoordinatorConnection> => {
  const scheme = /^([a-z]+):/.exec(uri)?.[1] ?? ""
  const q = uri.indexOf("?")
  const config = parsePostgresConfig({
    uri,
    scheme,
    location: uri.slice(scheme.length + 1, q === -1 ? undefined : q),
    options: Object.fromEntries(new URLSearchParams(q === -1 ? "" : uri.slice(q + 1)))
  })
  const connection = resolveConnection(config.endpoint)
  // Its stores' messages do not name the server: the session's errors do.
  const session = await openSession(connection, describeConnection(connection))
  try {
    await session.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [lock])
      const [found] = await tx.query("SELECT 1 AS found FROM pg_namespace WHERE nspname = $1", [config.schema])
      if (found === undefined) await tx.query(`CREATE SCHEMA ${quoteIdent(config.schema)}`)
      await createTables(tx, quoteIdent(config.schema))
    })
  } catch (error) {
    await session.close()
    throw error
  }
  return { session, schema: config.schema, location: `${describeConnection(connection)}?schema=${config.schema}` }
}
