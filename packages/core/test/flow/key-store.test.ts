import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { HashSet64 } from "../../src/transform/dedupe/hash-set64.js"
import { hashKey } from "../../src/transform/dedupe/key-hash.js"
import { openPersistentKeyStore } from "../../src/transform/dedupe/persistent-key-store.js"

const keyOf = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo)
const sorted = (keys: Iterable<bigint>) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

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

  const word = fc.oneof(fc.nat({ max: 40 }), fc.constant(0), fc.constant(0xffffffff), fc.nat({ max: 0xffffffff }))

  test.prop([
    fc.array(fc.tuple(word, word), { maxLength: 6_000 }),
    fc.array(fc.tuple(word, word), { maxLength: 200 }),
    fc.nat({ max: 5_000 })
  ])(
    "is exactly a set of 64-bit keys: add, has, size and toPairs agree with a Set<bigint> through every growth",
    (added, probes, initialCapacity) => {
      const set = new HashSet64(initialCapacity)
      const reference = new Set<bigint>()
      const wrong: Array<string> = []
      for (const [lo, hi] of added) {
        const fresh = !reference.has(keyOf(lo, hi))
        reference.add(keyOf(lo, hi))
        if (set.add(lo, hi) !== fresh || set.size !== reference.size) wrong.push(`add ${lo},${hi}`)
      }
      for (const [lo, hi] of [...added, ...probes]) if (set.has(lo, hi) !== reference.has(keyOf(lo, hi))) wrong.push(`has ${lo},${hi}`)
      expect(wrong).toEqual([])
      const pairs = set.toPairs()
      const dumped: Array<bigint> = []
      for (let i = 0; i < pairs.length; i += 2) dumped.push(keyOf(pairs[i]!, pairs[i + 1]!))
      expect(sorted(dumped)).toEqual(sorted(reference))
      if (reference.has(0n)) expect(dumped[0]).toBe(0n)
    }
  )

  test("many keys of one table (same top bits) and random keys grow it far past its start without loss", () => {
    const set = new HashSet64()
    const out = new Uint32Array(2)
    let added = 0
    for (let i = 0; i < 300_000; i++) {
      hashKey(`v${i}`, out)
      if (set.add(out[0]!, out[1]!)) added++
      if (set.add(i + 1, 7)) added++ // all in table 0, homes clustered at its start
    }
    expect([added, set.size]).toEqual([600_000, 600_000])
    let found = 0
    for (let i = 0; i < 300_000; i++) {
      hashKey(`v${i}`, out)
      if (set.has(out[0]!, out[1]!)) found++
      if (set.has(i + 1, 7)) found++
    }
    expect(found).toBe(600_000)
    expect(set.has(300_001, 7)).toBe(false)
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

  test("a segment is the raw (lo, hi) pairs of the epoch's new keys, and a segment written so (zero hash included) loads", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tikflow-keys-"))
    const hashOf = (key: string) => {
      const out = new Uint32Array(2)
      hashKey(key, out)
      return keyOf(out[0]!, out[1]!)
    }
    try {
      const keys = Array.from({ length: 5_000 }, (_, i) => `73${i}`)
      await Effect.runPromise(Effect.gen(function*() {
        const store = yield* openPersistentKeyStore({ dir, maxKeys: 100_000, resumeEpoch: undefined, keepAll: false })
        for (const key of keys) expect(store.add(key)).toBe(true)
        yield* store.commit(1)
      }))
      const bytes = fs.readFileSync(path.join(dir, "000000000001.keys"))
      const pairs = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
      const written: Array<bigint> = []
      for (let i = 0; i < pairs.length; i += 2) written.push(keyOf(pairs[i]!, pairs[i + 1]!))
      expect(written).toEqual(keys.map(hashOf)) // in the order the keys came

      // A segment as any version wrote it: (lo, hi) uint32 pairs, little-endian, the zero hash first.
      const old = new Uint32Array([0, 0, 5, 9, 0xffffffff, 0xffffffff])
      const out = new Uint32Array(2)
      hashKey("from-an-old-segment", out)
      const segment = new Uint32Array([...old, out[0]!, out[1]!])
      fs.writeFileSync(path.join(dir, "000000000002.keys"), new Uint8Array(segment.buffer))
      await Effect.runPromise(Effect.gen(function*() {
        const store = yield* openPersistentKeyStore({ dir, maxKeys: 100_000, resumeEpoch: 2, keepAll: false })
        expect(store.size()).toBe(keys.length + 4)
        expect(store.add("from-an-old-segment")).toBe(false)
        for (const key of keys) expect(store.add(key)).toBe(false)
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
