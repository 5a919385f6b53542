/**
 * TikTok ids are 64-bit integers whose high 32 bits are the creation time in seconds. Here an id
 * is the pair (hi, lo) and its decimal text is computed with doubles only: cheaper than BigInt on
 * the serving hot path, and exact because every intermediate stays below 2^53.
 */
const PADDING = ["", "0", "00", "000", "0000", "00000", "000000"]

/** Six decimal digits, zero-padded. */
const six = (n: number): string => {
  const text = "" + n
  return PADDING[6 - text.length] + text
}

export const idDecimal = (hi: number, lo: number): string => {
  // hi·2^32 + lo = hi·4294·10^6 + (hi·967296 + lo); then split into 10^6 digit groups so every
  // number converted to text is a small integer (much faster than a 13-digit double).
  const rest = hi * 967296 + lo
  const high = hi * 4294 + Math.floor(rest / 1e6)
  const low = rest % 1e6
  if (high === 0) return "" + low
  const top = Math.floor(high / 1e6)
  return top === 0 ? "" + high + six(low) : "" + top + six(high - top * 1e6) + six(low)
}

/** (hi, lo) of a decimal id, or undefined when the text is not an unsigned 64-bit integer. */
export const idParts = (text: string): { readonly hi: number; readonly lo: number } | undefined => {
  if (!/^\d{1,20}$/.test(text)) return undefined
  const value = BigInt(text)
  if (value > 0xffffffffffffffffn) return undefined
  return { hi: Number(value >> 32n), lo: Number(value & 0xffffffffn) }
}

/** An invertible scrambling of 32-bit indices, so the low id bits look random yet map back. */
export class IndexScrambler {
  private readonly inverse: number

  constructor(private readonly mask: number, private readonly factor: number = 0x2c1b3c6d | 1) {
    let inv = factor
    for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(factor, inv))
    this.inverse = inv
  }

  scramble(index: number): number {
    return Math.imul((index ^ this.mask) >>> 0, this.factor) >>> 0
  }

  unscramble(value: number): number {
    return (Math.imul(value >>> 0, this.inverse) ^ this.mask) >>> 0
  }
}
