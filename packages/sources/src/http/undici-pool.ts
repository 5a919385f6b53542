import { createRequire } from "node:module"
import type { Dispatcher, Pool as UndiciPool } from "undici"

/**
 * undici's `Pool` and its `request`, loaded from the two modules that define them. undici's index
 * loads all of undici (~110 modules: fetch, WebSocket, caches, mocks, proxies): ~65 ms of CPU and
 * ~9 MB of RSS per run, of which a harvest uses one Pool. undici is pinned and has no exports map;
 * the transport's tests fail if its layout moves.
 */
const require = createRequire(import.meta.url)

export const Pool = require("undici/lib/dispatcher/pool.js") as typeof UndiciPool
export type Pool = UndiciPool

const request = require("undici/lib/api/api-request.js") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions
) => Promise<Dispatcher.ResponseData>

/**
 * `pool.request(options)`: undici's index adds `request` to every dispatcher's prototype; without
 * the index it is called on the pool.
 */
export const poolRequest = (pool: Pool, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> =>
  request.call(pool, options)
