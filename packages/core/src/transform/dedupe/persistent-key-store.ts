import * as fs from "node:fs"
import * as path from "node:path"
import * as Effect from "effect/Effect"
import { writeFileAtomic } from "../../files/atomic-write.js"
import { isStaleTempFile } from "../../files/temp-files.js"
import { DedupeStoreError } from "./dedupe-errors.js"
import { HashSet64 } from "./hash-set64.js"
import { hashKey } from "./key-hash.js"
import type { KeyStore } from "./key-store.js"
import { capacityError } from "./memory-key-store.js"
import { makeDirectory } from "../../files/make-directory.js"

/**
 * On disk: `<dir>/<epoch>.keys` files, each the raw (lo, hi) uint32 pairs of the key hashes first
 * seen in that epoch, written atomically (so a file is whole or absent).
 * Opening loads every segment of a committed epoch (≤ `resume.epoch`) and deletes later ones: keys
 * of an epoch whose checkpoint was never saved must not suppress the records coming again. Many
 * small segments are compacted into one holding the whole set.
 */
const SEGMENT = /^(\d{12})\.keys$/
const COMPACT_AFTER_SEGMENTS = 64

const segmentName = (epoch: number) => `${String(epoch).padStart(12, "0")}.keys`

export interface PersistentKeyStoreOptions {
  readonly dir: string
  readonly maxKeys: number
  /** Last committed epoch; `undefined` with `keepAll: false` means a fresh harvest: start empty. */
  readonly resumeEpoch: number | undefined
  /** Standalone use (no epochs): keep every segment found, commit as the next epoch number. */
  readonly keepAll: boolean
}

export interface PersistentKeyStore extends KeyStore {
  /** The epoch number a standalone run commits under (one past the newest segment). */
  readonly nextEpoch: number
}

const storeError = (dir: string, operation: "open" | "commit" | "close", cause: unknown) =>
  new DedupeStoreError({
    path: dir,
    operation,
    message: `dedupe store ${dir}: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`
  })

const writeSegment = (dir: string, name: string, pairs: Uint32Array): Promise<void> =>
  writeFileAtomic(path.join(dir, name), new Uint8Array(pairs.buffer, pairs.byteOffset, pairs.byteLength))

export const openPersistentKeyStore = (options: PersistentKeyStoreOptions): Effect.Effect<PersistentKeyStore, DedupeStoreError> =>
  Effect.tryPromise({
    try: async () => {
      const { dir, maxKeys } = options
      await makeDirectory(dir)
      const set = new HashSet64()
      const segments: Array<{ name: string; epoch: number }> = []
      let newest = 0
      for (const name of fs.readdirSync(dir).sort()) {
        if (isStaleTempFile(name)) {
          fs.rmSync(path.join(dir, name), { force: true })
          continue
        }
        const match = SEGMENT.exec(name)
        if (match === null) continue
        const epoch = Number(match[1])
        const keep = options.keepAll || (options.resumeEpoch !== undefined && epoch <= options.resumeEpoch)
        if (!keep) {
          fs.rmSync(path.join(dir, name), { force: true })
          continue
        }
        const bytes = fs.readFileSync(path.join(dir, name))
        const pairs = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 8) * 2)
        for (let i = 0; i < pairs.length; i += 2) set.add(pairs[i], pairs[i + 1])
        segments.push({ name, epoch })
        newest = Math.max(newest, epoch)
      }

      let pending = new Uint32Array(1 << 12)
      let pendingLength = 0
      const hash = new Uint32Array(2)

      const compact = async (epoch: number) => {
        const name = segmentName(epoch)
        await writeSegment(dir, name, set.toPairs())
        for (const segment of segments) if (segment.name !== name) fs.rmSync(path.join(dir, segment.name), { force: true })
        segments.length = 0
        segments.push({ name, epoch })
      }
      if (segments.length > COMPACT_AFTER_SEGMENTS) await compact(newest)

      const store: PersistentKeyStore = {
        nextEpoch: newest + 1,
        add: (key) => {
          hashKey(key, hash)
          // One probe of the table per key (a repeat at capacity is still a repeat, not an error).
          if (set.size >= maxKeys) return set.has(hash[0], hash[1]) ? false : capacityError(maxKeys, "persistent")
          if (!set.add(hash[0], hash[1])) return false
          if (pendingLength + 2 > pending.length) {
            // A quarter more, not twice: the buffer holds one epoch's new keys and stays that size.
            const bigger = new Uint32Array(Math.ceil(pending.length * 1.25 / 2) * 2)
            bigger.set(pending)
            pending = bigger
          }
          pending[pendingLength++] = hash[0]
          pending[pendingLength++] = hash[1]
          return true
        },
        size: () => set.size,
        commit: (epoch) =>
          Effect.tryPromise({
            try: async () => {
              if (pendingLength === 0) return
              const name = segmentName(epoch)
              const existing = segments.find((segment) => segment.name === name)
              if (existing !== undefined) {
                // Same epoch committed twice (standalone close after end): rewrite the whole set.
                pendingLength = 0
                await compact(epoch)
                return
              }
              // A copy: keys added while the write is under way stay pending for the next commit.
              const written = pendingLength
              await writeSegment(dir, name, pending.slice(0, written))
              segments.push({ name, epoch })
              pending.copyWithin(0, written, pendingLength)
              pendingLength -= written
              if (segments.length > COMPACT_AFTER_SEGMENTS) await compact(epoch)
            },
            catch: (cause) => storeError(dir, "commit", cause)
          })
      }
      return store
    },
    catch: (cause) => storeError(options.dir, "open", cause)
  })
