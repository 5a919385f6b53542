// A real, throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql` package,
// `initdb` + `pg_ctl` into a temporary directory on a free loopback port. PostgreSQL refuses to
// run as root, so as root the server runs as the `postgres` user (`runuser`), in a directory it
// owns. TCP connections need a password (scram), so a wrong password really fails; the unix
// socket in the directory trusts local admin commands (`psql`). No mock: when the package is
// missing this fails with how to install it.
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const ROOT = "/usr/lib/postgresql"

/** The newest installed server's bin directory (`$TIKFLOW_PG_BIN` overrides). */
export const postgresBinDir = () => {
  const override = process.env.TIKFLOW_PG_BIN
  if (override !== undefined && override !== "") return override
  const versions = existsSync(ROOT)
    ? readdirSync(ROOT).filter((v) => existsSync(join(ROOT, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) {
    throw new Error(`PostgreSQL server not found under ${ROOT}: install it (apt-get install -y postgresql; .ci/run does this)`)
  }
  return join(ROOT, versions[0], "bin")
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

const postgresIds = () => {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
  return { uid, gid }
}

/**
 * Starts a server. Resolves to its connection facts and `uri()`, `psql(sql)` for admin SQL,
 * `stop()`/`start()` to take it away and bring it back (same port and data), and `destroy()`.
 * `durable: false` (the default) turns fsync off: tests kill clients and the server process, never
 * the machine, so the OS still holds every committed write.
 */
export const startPostgres = async ({ durable = false } = {}) => {
  const bin = postgresBinDir()
  const dir = mkdtempSync(join(tmpdir(), "tikflow-pg-"))
  const data = join(dir, "data")
  const asPostgres = isRoot() ? ["runuser", "-u", "postgres", "--"] : []
  const run = (program, args, options = {}) => {
    const [command, ...rest] = [...asPostgres, join(bin, program), ...args]
    const result = spawnSync(command, rest, { encoding: "utf8", cwd: dir, ...options })
    if (result.status !== 0) {
      throw new Error(`${program} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).trim()}`)
    }
    return result.stdout
  }
  const user = "tikflow"
  const password = "tikflow-test-secret"
  const database = "tikflow"
  const adminPassword = "admin-test-secret"
  if (isRoot()) {
    const { uid, gid } = postgresIds()
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  const pwfile = join(dir, "pwfile")
  writeFileSync(pwfile, adminPassword + "\n", { mode: 0o600 })
  if (isRoot()) chownSync(pwfile, ...Object.values(postgresIds()))
  run("initdb", ["-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-instructions"])
  rmSync(pwfile)

  let port = 0
  const settings = () =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100` + (durable ? "" : " -c fsync=off -c full_page_writes=off")
  let running = false
  const start = () => {
    run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", settings(), "-w", "-t", "60", "start"])
    running = true
  }
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    try {
      start()
      break
    } catch (error) {
      // Another process took the port between the probe and the start: try another.
      if (attempt >= 3) throw error
    }
  }
  const psql = (sql, db = "postgres") => run("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", db, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
  psql(`CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'`)
  psql(`CREATE DATABASE ${database} OWNER ${user}`)

  const stop = () => {
    if (!running) return
    running = false
    run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
  }
  const destroy = () => {
    try {
      stop()
    } finally {
      rmSync(dir, { recursive: true, force: true })
      process.removeListener("exit", destroy)
    }
  }
  // A test process that dies without its afterAll still stops its server.
  process.on("exit", destroy)
  return {
    host: "127.0.0.1",
    get port() {
      return port
    },
    user,
    password,
    database,
    dir,
    binDir: bin,
    /** `postgres://user:password@127.0.0.1:port/db`, plus a query string if given. */
    uri: ({ db = database, query = "", withPassword = true } = {}) =>
      `postgres://${user}${withPassword ? `:${password}` : ""}@127.0.0.1:${port}/${db}${query === "" ? "" : `?${query}`}`,
    /** The same connection as `PG*` variables. */
    env: () => ({ PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: user, PGPASSWORD: password, PGDATABASE: database }),
    psql,
    stop,
    start,
    destroy
  }
}
