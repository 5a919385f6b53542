import type { Effect } from "effect"
import type { DedupeCapacityError, DedupeStoreError } from "./dedupe-errors.js"

/** The set of keys a dedupe stage has seen. */
export interface KeyStore {
  /** Adds the key; true when it was new. */
  readonly add: (key: string) => boolean | DedupeCapacityError
  readonly size: () => number
  /** Make keys added so far durable as part of `epoch` (no-op in memory). */
  readonly commit: (epoch: number) => Effect.Effect<void, DedupeStoreError>
}

/** Exact, in memory: a `Set` of keys (~100 bytes per key). */
export interface MemoryKeyStoreSpec {
  readonly type: "memory"
  /** Most distinct keys held before failing with `DedupeCapacityError`. Default 1,000,000. */
  readonly maxKeys?: number | undefined
}

/**
 * Backed by files in `dir` (one directory per harvest): 64-bit key hashes in in-memory
 * open-addressing tables (8 bytes per slot, 64–80% full: ~11 bytes per key) plus an append-only
 * log of hashes per committed epoch, so a resumed run still knows every key. Exact up to 64-bit
 * hash collisions (probability ≈ n²/2⁶⁵: 1 in 15,000 at 50 million keys).
 *
 * Under the pipeline, keys are committed with each epoch and keys of uncommitted epochs are
 * forgotten on resume, so a resumed harvest is exactly-once. Standalone (`asStream`/`asOperator`)
 * the store saves every key it saw when the stream ends or closes, whatever happened downstream.
 * Plain files and typed arrays: no DuckDB needed (a lookup per record would be far slower).
 */
export interface PersistentKeyStoreSpec {
  readonly type: "persistent"
  readonly dir: string
  /** Most distinct keys before failing with `DedupeCapacityError`. Default 50,000,000 (~550 MB). */
  readonly maxKeys?: number | undefined
}

export type KeyStoreSpec = MemoryKeyStoreSpec | PersistentKeyStoreSpec

export const memoryKeys = (options: { readonly maxKeys?: number } = {}): MemoryKeyStoreSpec => ({
  type: "memory",
  maxKeys: options.maxKeys
})

export const persistentKeys = (dir: string, options: { readonly maxKeys?: number } = {}): PersistentKeyStoreSpec => ({
  type: "persistent",
  dir,
  maxKeys: options.maxKeys
})

export const DEFAULT_MEMORY_MAX_KEYS = 1_000_000
export const DEFAULT_PERSISTENT_MAX_KEYS = 50_000_000
