import { createRequire } from "node:module"
import { endianness } from "node:os"

/**
 * DuckDB's allocator settings, read once when the native library loads: freed pages go back to the
 * system at once. DuckDB's bundled jemalloc keeps freed pages for a second by default, and with
 * `threads=1` no DuckDB worker thread ever purges them (its `allocator_flush_threshold` acts after
 * worker tasks only): each merge's transient memory stayed in the process, 200k videos by the CLI
 * peaked at 361 MB, 319 MB with these settings. They may cost CPU: each epoch faults its pages in
 * afresh. One arena keeping freed pages (`narenas:1,dirty_decay_ms:200` or `1000`, `muzzy_decay_ms:0`,
 * still purged by the release after each merge) took 1–2 µs per record off the CLI's CPU under load
 * but added ~10 MB at 2M videos, past the 300 MB target; purged before each merge too, it added
 * 3–6 MB and saved no CPU on a quiet machine (bench/findings.md, DuckDB at size, stops 16–17).
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
    // Its CommonJS `module.exports` (which Node's named exports only mirror): the CLI's bundle
    // holds node-api as a chunk whose one export is that object.
    library = import("@duckdb/node-api").then((module) => module.default)
  }
  return library
}

/** A native handle of the binding (a data chunk's vector); opaque to JavaScript. */
export type VectorHandle = object

/**
 * The functions of `@duckdb/node-bindings` (the C API, as `@duckdb/node-api` itself uses it) that
 * fill a data chunk's vectors in bulk; `duckdb-vectors.ts` says why.
 */
export interface VectorBindings {
  data_chunk_reset(chunk: object): void
  data_chunk_set_size(chunk: object, size: number): void
  data_chunk_get_vector(chunk: object, columnIndex: number): VectorHandle
  /** A copy of the vector's first `byteCount` data bytes. */
  vector_get_data(vector: VectorHandle, byteCount: number): Uint8Array
  vector_ensure_validity_writable(vector: VectorHandle): void
  vector_assign_string_element_len(vector: VectorHandle, index: number, data: Uint8Array): void
  copy_data_to_vector(vector: VectorHandle, targetOffset: number, source: ArrayBufferLike, sourceOffset: number, byteCount: number): void
  copy_data_to_vector_validity(vector: VectorHandle, targetOffset: number, source: ArrayBufferLike, sourceOffset: number, byteCount: number): void
  list_vector_reserve(vector: VectorHandle, capacity: number): void
  list_vector_set_size(vector: VectorHandle, size: number): void
  list_vector_get_child(vector: VectorHandle): VectorHandle
  readonly sizeof_bool: number
}

/**
 * The binding `@duckdb/node-api` loaded (required from its own package, so the very module whose
 * handles its chunks hold). The vectors are written as the little-endian bytes DuckDB keeps, one
 * byte per BOOLEAN: a host where either differs is refused by name rather than written wrong.
 */
export const loadVectorBindings = async (): Promise<VectorBindings> => {
  await loadDuckDB()
  const api = createRequire(import.meta.url).resolve("@duckdb/node-api")
  const bindings = createRequire(api)("@duckdb/node-bindings") as VectorBindings
  if (endianness() !== "LE" || bindings.sizeof_bool !== 1) {
    throw new Error(`duckdb sink: this host's byte order (${endianness()}) or BOOLEAN size (${bindings.sizeof_bool}) is not supported`)
  }
  return bindings
}
