/**
 * How many tables a set is split into, chosen by the top 8 bits of a hash's high word: each grows
 * on its own, so a growth copies 1/256 of the set, never the whole table next to a table twice its
 * size (which held 16 + 32 MB at once at 2M keys).
 */
const TABLES = 256
const TABLE_SHIFT = 24
/** Most keys per slot before a table grows; linear probing stays short (≤ ~13 probes for a miss). */
const MAX_LOAD = 0.8
/** Each growth adds a quarter: a table is 64–80% full, where doubling left it 35–70% full. */
const GROWTH = 1.25
const MIN_SLOTS = 8
const TWO_POW_32 = 4294967296
/** Odd (2³²/φ): multiplying by it mixes a low word's bits upward, so keys differing only in low bits get distant homes. */
const MIX = 0x9e3779b1

/** A low word's home slot in a table of `scale` × 2³² slots. */
const homeOf = (lo: number, scale: number): number => Math.floor((Math.imul(lo, MIX) >>> 0) * scale)

/**
 * A set of 64-bit hashes in typed arrays: 256 open-addressing tables with linear probing, two
 * 32-bit words per slot, (0, 0) marking an empty slot (the hash (0, 0) itself is kept in a flag).
 * 8 bytes per slot and no object per key (~11 bytes per key), so tens of millions of keys fit where
 * a `Set<string>` would need gigabytes. A key's home slot is its (mixed) low word scaled to the
 * table's size (any size, not only powers of two). Table `t` starts GROWTH^(t/256) times larger than table
 * 0, so the tables reach their limits at different sizes of the set: it grows smoothly, one small
 * table at a time.
 */
export class HashSet64 {
  private readonly tables: Array<Uint32Array> = []
  /** Slots of each table. */
  private readonly slotCounts = new Int32Array(TABLES)
  /** Keys in each table. */
  private readonly keyCounts = new Int32Array(TABLES)
  /** slots / 2³²: a low word times this is its home slot. */
  private readonly scales = new Float64Array(TABLES)
  private count = 0
  private hasZero = false

  /** `initialCapacity`: keys the set holds before its first growth (roughly). */
  constructor(initialCapacity = 1 << 16) {
    const base = Math.max(MIN_SLOTS, Math.ceil(initialCapacity / TABLES / MAX_LOAD))
    for (let t = 0; t < TABLES; t++) this.allocate(t, Math.ceil(base * GROWTH ** (t / TABLES)))
  }

  get size(): number {
    return this.count
  }

  has(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) return this.hasZero
    const t = hi >>> TABLE_SHIFT
    const slots = this.tables[t]!
    const i = this.slotOf(t, lo, hi)
    return slots[i * 2] !== 0 || slots[i * 2 + 1] !== 0
  }

  /** Adds the hash; true when it was not present. */
  add(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) {
      if (this.hasZero) return false
      this.hasZero = true
      this.count++
      return true
    }
    const t = hi >>> TABLE_SHIFT
    if (!this.insert(t, lo, hi)) return false
    this.count++
    if (this.keyCounts[t]! > this.slotCounts[t]! * MAX_LOAD) this.grow(t)
    return true
  }

  /** Every hash as consecutive (lo, hi) pairs, for writing a compacted segment. */
  toPairs(): Uint32Array {
    const out = new Uint32Array(this.count * 2)
    // The zero hash, when present, is the first pair: its slot in `out` is already (0, 0).
    let j = this.hasZero ? 2 : 0
    for (const slots of this.tables) {
      for (let i = 0; i < slots.length; i += 2) {
        if (slots[i] !== 0 || slots[i + 1] !== 0) {
          out[j++] = slots[i]!
          out[j++] = slots[i + 1]!
        }
      }
    }
    return out
  }

  /** Puts a non-zero hash into table `t` (which has a free slot); false when it was there. */
  private insert(t: number, lo: number, hi: number): boolean {
    const slots = this.tables[t]!
    const i = this.slotOf(t, lo, hi)
    if (slots[i * 2] !== 0 || slots[i * 2 + 1] !== 0) return false
    slots[i * 2] = lo
    slots[i * 2 + 1] = hi
    this.keyCounts[t]!++
    return true
  }

  /** The slot of a non-zero hash in table `t`: where it is, or the empty slot ending its probe (linear probing). */
  private slotOf(t: number, lo: number, hi: number): number {
    const slots = this.tables[t]!
    const size = this.slotCounts[t]!
    let i = homeOf(lo, this.scales[t]!)
    for (;;) {
      const a = slots[i * 2]
      const b = slots[i * 2 + 1]
      if ((a === 0 && b === 0) || (a === lo && b === hi)) return i
      if (++i === size) i = 0
    }
  }

  private allocate(t: number, slotCount: number): void {
    this.tables[t] = new Uint32Array(slotCount * 2)
    this.slotCounts[t] = slotCount
    this.keyCounts[t] = 0
    this.scales[t] = slotCount / TWO_POW_32
  }

  private grow(t: number): void {
    const old = this.tables[t]!
    this.allocate(t, Math.ceil(this.slotCounts[t]! * GROWTH))
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(t, old[i]!, old[i + 1]!)
    }
  }
}
