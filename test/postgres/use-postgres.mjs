// One PostgreSQL server per test file, started before its tests and destroyed after them, like
// the CLI tests' `useSandbox()`: the four lines of beforeAll/afterAll every PostgreSQL test file repeated.
import { afterAll, beforeAll } from "vitest"
import { startPostgres } from "./postgres-server.mjs"

/**
 * Registers the file's (or the enclosing `describe`'s) server and returns a handle to it. The
 * handle forwards to the server once `beforeAll` has started it, so it can be declared at the top
 * and used as the server itself; touched before that, it throws.
 */
export const usePostgres = (options = {}) => {
  let server
  beforeAll(async () => {
    server = await startPostgres(options)
  })
  afterAll(() => server?.destroy())
  return new Proxy(
    {},
    {
      get(_, key) {
        if (server === undefined) throw new Error("usePostgres: the server is not started (use it inside a test or a hook)")
        const value = server[key]
        return typeof value === "function" ? value.bind(server) : value
      }
    }
  )
}
