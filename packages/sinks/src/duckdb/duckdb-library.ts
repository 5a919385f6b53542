/**
 * DuckDB's allocator settings, read once when the native library loads: freed pages go back to the
 * system at once. DuckDB's bundled jemalloc keeps freed pages for a second by default, and with
 * `threads=1` no DuckDB worker thread ever purges them (its `allocator_flush_threshold` acts after
 * worker tasks only): each merge's transient memory stayed in the process, 200k videos by the CLI
 * peaked at 361 MB, 319 MB with these settings, for no measurable CPU.
 */
export const DUCKDB_ALLOCATOR_CONF = "dirty_decay_ms:0,muzzy_decay_ms:0"

/** jemalloc's environment variable in DuckDB's build (its symbols are prefixed `duckdb_je_`). */
const CONF_VARIABLE = "DUCKDB_JE_MALLOC_CONF"

let library: Promise<typeof import("@duckdb/node-api")> | undefined

/**
 * `@duckdb/node-api`, loaded on first use (the native binding costs start-up time for runs without
 * DuckDB) with the allocator settings above, unless the environment sets its own. Every import of
 * the library's values goes through here: jemalloc reads its settings when the library loads.
 */
export const loadDuckDB = (): Promise<typeof import("@duckdb/node-api")> => {
  if (library === undefined) {
    process.env[CONF_VARIABLE] ??= DUCKDB_ALLOCATOR_CONF
    library = import("@duckdb/node-api")
  }
  return library
}
