import { existsSync, readFileSync } from "node:fs"
import { homedir, userInfo } from "node:os"
import { join } from "node:path"

/** Where to connect, as the user gave it; unset fields come from a service file, then `PG*` variables. */
export interface PostgresEndpoint {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly user?: string | undefined
  readonly password?: string | undefined
  readonly database?: string | undefined
  /** A section of the connection service file (`?service=` or `PGSERVICE`). */
  readonly service?: string | undefined
  readonly sslmode?: "disable" | "require" | "verify-full" | undefined
  readonly connectTimeoutSeconds: number
}

/** Every field resolved: what the client connects with. */
export interface PostgresConnection {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string | undefined
  readonly database: string
  readonly ssl: false | { readonly rejectUnauthorized: boolean }
  readonly connectTimeoutSeconds: number
}

type Env = Readonly<Record<string, string | undefined>>

/** `[name]` sections of a libpq service file: `key=value` lines, `#` comments. */
const parseServiceFile = (text: string): Map<string, Map<string, string>> => {
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const section = /^\[(.+)\]$/.exec(line)
    if (section !== null) {
      current = new Map()
      sections.set(section[1]!.trim(), current)
      continue
    }
    const eq = line.indexOf("=")
    if (eq > 0 && current !== undefined) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim())
  }
  return sections
}

/** The files libpq reads services from, in its order: the user's, then the system's. */
const serviceFiles = (env: Env): ReadonlyArray<string> => [
  env.PGSERVICEFILE ?? join(homedir(), ".pg_service.conf"),
  join(env.PGSYSCONFDIR ?? "/etc/postgresql-common", "pg_service.conf")
]

const readService = (name: string, env: Env): ReadonlyMap<string, string> => {
  const files = serviceFiles(env)
  for (const file of files) {
    if (!existsSync(file)) continue
    const section = parseServiceFile(readFileSync(file, "utf8")).get(name)
    if (section !== undefined) return section
  }
  throw new Error(`service: expected a [${name}] section in ${files.join(" or ")}, found none`)
}

const portOf = (value: string | undefined, from: string): number | undefined => {
  if (value === undefined || value === "") return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${from}: expected a port from 1 to 65535, got ${JSON.stringify(value)}`)
  return port
}

/**
 * Resolves an endpoint as libpq does: the URI's fields first, then the service file's (`service=`
 * or `PGSERVICE`), then `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, then defaults
 * (localhost:5432, the OS user, a database named like the user). A password found nowhere is left
 * to the client's `~/.pgpass` lookup.
 */
export const resolveConnection = (endpoint: PostgresEndpoint, env: Env = process.env): PostgresConnection => {
  const serviceName = endpoint.service ?? env.PGSERVICE
  const service = serviceName === undefined || serviceName === "" ? new Map<string, string>() : readService(serviceName, env)
  const pick = (own: string | undefined, key: string, variable: string) => own ?? service.get(key) ?? (env[variable] || undefined)
  const user = pick(endpoint.user, "user", "PGUSER") ?? userInfo().username
  const sslmode = endpoint.sslmode ?? service.get("sslmode") ?? env.PGSSLMODE
  return {
    host: pick(endpoint.host, "host", "PGHOST") ?? "localhost",
    port: endpoint.port ?? portOf(service.get("port"), `service ${serviceName} port`) ?? portOf(env.PGPORT, "PGPORT") ?? 5432,
    user,
    password: pick(endpoint.password, "password", "PGPASSWORD"),
    database: pick(endpoint.database, "dbname", "PGDATABASE") ?? user,
    ssl: sslmode === "require" ? { rejectUnauthorized: false } : sslmode === "verify-full" ? { rejectUnauthorized: true } : false,
    connectTimeoutSeconds: endpoint.connectTimeoutSeconds
  }
}

/** `postgres://user@host:port/db`: how messages name a connection, never with its password. */
export const describeConnection = (connection: PostgresConnection): string =>
  `postgres://${encodeURIComponent(connection.user)}@${connection.host.includes(":") ? `[${connection.host}]` : connection.host}:${connection.port}/${encodeURIComponent(connection.database)}`
