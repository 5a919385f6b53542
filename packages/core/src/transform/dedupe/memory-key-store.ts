import * as Effect from "effect/Effect"
import { DedupeCapacityError } from "./dedupe-errors.js"
import type { KeyStore } from "./key-store.js"

export const capacityError = (maxKeys: number, store: string): DedupeCapacityError =>
  new DedupeCapacityError({
    maxKeys,
    message: `dedupe: more than ${maxKeys} distinct keys in the ${store} store; raise maxKeys or use persistentKeys(dir)`
  })

export const makeMemoryKeyStore = (maxKeys: number): KeyStore => {
  const keys = new Set<string>()
  return {
    add: (key) => {
      if (keys.has(key)) return false
      if (keys.size >= maxKeys) return capacityError(maxKeys, "memory")
      keys.add(key)
      return true
    },
    size: () => keys.size,
    commit: () => Effect.void
  }
}
