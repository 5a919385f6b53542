import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { HashSet64 } from "../../src/transform/dedupe/hash-set64.js"
import { hashKey } from "../../src/transform/dedupe/key-hash.js"
import { openPersistentKeyStore } from "../../src/transform/dedupe/persistent-key-store.js"

describe("HashSet64", () => {
  test.prop([fc.array(fc.tuple(fc.nat({ max: 50 }), fc.nat({ max: 3 })), { maxLength: 3_000 })])(
    "behaves as a set of (lo, hi) pairs through growth",
    (pairs) => {
      const set = new HashSet64(16)
      const reference = new Set<string>()
      for (const [lo, hi] of pairs) {
        expect(set.add(lo, hi)).toBe(!reference.has(`${lo}:${hi}`))
        reference.add(`${lo}:${hi}`)
      }
      expect(set.size).toBe(reference.size)
      for (const [lo, hi] of pairs) expect(set.has(lo, hi)).toBe(true)
      expect(set.has(999, 999)).toBe(false)
      const dumped = set.toPairs()
      expect(dumped.length).toBe(reference.size * 2)
    }
  )

  test("the zero hash is a member like any other, distinct from (0, 1)", () => {
    const set = new HashSet64(16)
    expect(set.add(0, 0)).toBe(true)
    expect(set.has(0, 1)).toBe(false)
    expect(set.add(0, 1)).toBe(true)
    expect(set.add(0, 0)).toBe(false)
    for (let i = 1; i < 100; i++) set.add(i, 7) // through growth
    expect(set.has(0, 0)).toBe(true)
    expect(set.size).toBe(101)
    const pairs = set.toPairs()
    expect(pairs.length).toBe(202)
    expect([pairs[0], pairs[1]]).toEqual([0, 0])
  })

  test("distinct numeric ids hash to distinct 64-bit values", () => {
    const seen = new Set<string>()
    const out = new Uint32Array(2)
    for (let i = 0; i < 200_000; i++) {
      hashKey(`73000000000${String(i).padStart(8, "0")}`, out)
      seen.add(`${out[0]}:${out[1]}`)
    }
    expect(seen.size).toBe(200_000)
  })
})

describe("persistent key store", () => {
  test("many committed epochs are compacted into one segment holding every key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-keys-"))
    try {
      await Effect.runPromise(Effect.gen(function*() {
        const store = yield* openPersistentKeyStore({ dir, maxKeys: 1_000, resumeEpoch: undefined, keepAll: false })
        for (let epoch = 1; epoch <= 70; epoch++) {
          expect(store.add(`k${epoch}`)).toBe(true)
          yield* store.commit(epoch)
        }
      }))
      expect(fs.readdirSync(dir).length).toBeLessThan(70)
      await Effect.runPromise(Effect.gen(function*() {
        const store = yield* openPersistentKeyStore({ dir, maxKeys: 1_000, resumeEpoch: 70, keepAll: false })
        expect(store.size()).toBe(70)
        for (let epoch = 1; epoch <= 70; epoch++) expect(store.add(`k${epoch}`)).toBe(false)
        expect(store.add("new")).toBe(true)
      }))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test("maxKeys bounds the store: the key past it is a DedupeCapacityError", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-keys-"))
    try {
      const store = await Effect.runPromise(openPersistentKeyStore({ dir, maxKeys: 3, resumeEpoch: undefined, keepAll: true }))
      expect([store.add("a"), store.add("b"), store.add("c"), store.add("a")]).toEqual([true, true, true, false])
      const over = store.add("d")
      expect(typeof over === "object" && over._tag).toBe("DedupeCapacityError")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
