import type { SinkTarget } from "@tikflow/core/internal"
import { ConfigError, readEnum, readInt, readString, rejectUnknownOptions } from "@tikflow/core/internal"
import type { PostgresEndpoint } from "./postgres-connection.js"

export interface PostgresSinkConfig {
  readonly endpoint: PostgresEndpoint
  /** The schema the tables go in (created if missing). */
  readonly schema: string
  /** Prepended to each stream's table name. */
  readonly tablePrefix: string
}

export const POSTGRES_OPTIONS = {
  schema: "the schema for the tables and checkpoints, created if missing (default public)",
  table_prefix: "prepended to each stream's table name (default none)",
  service: "a section of the connection service file (~/.pg_service.conf, default $PGSERVICE)",
  sslmode: "disable, require or verify-full (default $PGSSLMODE, else disable)",
  connect_timeout: "seconds to wait for a connection (default 10)"
} as const

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

const decode = (part: string, what: string): string | undefined => {
  if (part === "") return undefined
  try {
    return decodeURIComponent(part)
  } catch {
    // Never echo the part: it may be the password.
    throw ConfigError.make("location", `a percent-encoded ${what} in the URI`)
  }
}

/**
 * Parses `postgres://user:password@host:port/database` (`postgresql://` too). Every part may be
 * left out and comes then from the service file or `PG*` variables (`postgres:///db`,
 * `postgres://`). Messages never repeat the location: it may hold a password.
 */
const parseEndpoint = (target: SinkTarget): Omit<PostgresEndpoint, "service" | "sslmode" | "connectTimeoutSeconds"> => {
  if (!target.location.startsWith("//")) throw ConfigError.make("location", `${target.scheme}://user@host:port/database`)
  let url: URL
  try {
    url = new URL(`postgres:${target.location}`)
  } catch {
    throw ConfigError.make("location", `${target.scheme}://user@host:port/database (the URI does not parse)`)
  }
  if (url.hash !== "") throw ConfigError.make("location", "no #fragment in the URI")
  const path = url.pathname.replace(/^\//, "")
  if (path.includes("/")) throw ConfigError.make("location", "one database name after the host, not a path")
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
  const port = url.port === "" ? undefined : Number(url.port)
  return {
    host: host === "" ? undefined : decode(host, "host"),
    port,
    user: decode(url.username, "user name"),
    password: decode(url.password, "password"),
    database: decode(path, "database name")
  }
}

export const parsePostgresConfig = (target: SinkTarget): PostgresSinkConfig => {
  rejectUnknownOptions(target, Object.keys(POSTGRES_OPTIONS))
  const schema = readString(target, "schema") ?? "public"
  if (!NAME.test(schema)) throw new Error(`schema: expected letters, digits and _ (not starting with a digit), got ${JSON.stringify(schema)}`)
  const tablePrefix = readString(target, "table_prefix") ?? ""
  if (!/^[A-Za-z0-9_]*$/.test(tablePrefix)) throw new Error(`table_prefix: expected letters, digits and _, got ${JSON.stringify(tablePrefix)}`)
  const sslmode = target.options.sslmode === undefined ? undefined : readEnum(target, "sslmode", ["disable", "require", "verify-full"], "disable")
  return {
    endpoint: {
      ...parseEndpoint(target),
      service: readString(target, "service"),
      sslmode,
      connectTimeoutSeconds: readInt(target, "connect_timeout", { min: 1, max: 3600 }, 10)
    },
    schema,
    tablePrefix
  }
}
