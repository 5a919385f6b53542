import type { Dispatcher, Pool as UndiciPool } from "undici"
// @ts-expect-error -- undici's modules have no declarations of their own: typed below from undici's.
import PoolModule from "undici/lib/dispatcher/pool.js"
// @ts-expect-error -- likewise.
import requestModule from "undici/lib/api/api-request.js"

/**
 * undici's `Pool` and its `request`, loaded from the two modules that define them. undici's index
 * loads all of undici (~110 modules: fetch, WebSocket, caches, mocks, proxies): ~65 ms of CPU and
 * ~9 MB of RSS per run, of which a harvest uses one Pool. Imported (not `require`d) so the CLI's
 * bundle holds them and the ~25 modules they need in a chunk. undici is pinned and has no exports
 * map; the transport's tests fail if its layout moves.
 */
export const Pool = PoolModule as unknown as typeof UndiciPool
export type Pool = UndiciPool

const request = requestModule as unknown as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions
) => Promise<Dispatcher.ResponseData>

/**
 * `pool.request(options)`: undici's index adds `request` to every dispatcher's prototype; without
 * the index it is called on the pool.
 */
export const poolRequest = (pool: Pool, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> =>
  request.call(pool, options)
