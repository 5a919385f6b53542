/**
 * A set of 64-bit hashes in one typed array: open addressing with linear probing, two 32-bit
 * words per slot, (0, 0) marking an empty slot (the hash (0, 0) itself is kept in a flag). 8 bytes
 * per slot and no object per key, so tens of millions of keys fit where a `Set<string>` would need
 * gigabytes.
 */
export class HashSet64 {
  private slots: Uint32Array
  private mask: number
  private count = 0
  private hasZero = false

  constructor(initialCapacity = 1 << 16) {
    let capacity = 1 << 4
    while (capacity < initialCapacity) capacity <<= 1
    this.slots = new Uint32Array(capacity * 2)
    this.mask = capacity - 1
  }

  get size(): number {
    return this.count
  }

  has(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) return this.hasZero
    const slots = this.slots
    let i = lo & this.mask
    for (;;) {
      const a = slots[i * 2]
      const b = slots[i * 2 + 1]
      if (a === 0 && b === 0) return false
      if (a === lo && b === hi) return true
      i = (i + 1) & this.mask
    }
  }

  /** Adds the hash; true when it was not present. */
  add(lo: number, hi: number): boolean {
    if (lo === 0 && hi === 0) {
      if (this.hasZero) return false
      this.hasZero = true
      this.count++
      return true
    }
    if ((this.count + 1) * 10 > (this.mask + 1) * 7) this.grow()
    const slots = this.slots
    let i = lo & this.mask
    for (;;) {
      const a = slots[i * 2]
      const b = slots[i * 2 + 1]
      if (a === 0 && b === 0) {
        slots[i * 2] = lo
        slots[i * 2 + 1] = hi
        this.count++
        return true
      }
      if (a === lo && b === hi) return false
      i = (i + 1) & this.mask
    }
  }

  /** Every hash as consecutive (lo, hi) pairs, for writing a compacted segment. */
  toPairs(): Uint32Array {
    const out = new Uint32Array(this.count * 2)
    // The zero hash, when present, is the first pair: its slot in `out` is already (0, 0).
    let j = this.hasZero ? 2 : 0
    const slots = this.slots
    for (let i = 0; i < slots.length; i += 2) {
      if (slots[i] !== 0 || slots[i + 1] !== 0) {
        out[j++] = slots[i]
        out[j++] = slots[i + 1]
      }
    }
    return out
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Uint32Array(old.length * 2)
    this.mask = old.length - 1
    this.count = this.hasZero ? 1 : 0
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i], old[i + 1])
    }
  }
}
