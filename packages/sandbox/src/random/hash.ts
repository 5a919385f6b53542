/**
 * Stateless 32-bit hashing: every attribute of the synthetic world is a pure function of
 * (seed, entity index, attribute slot), so nothing has to be stored to be reproduced.
 */

/** A bijective avalanche mix of a 32-bit integer (the "lowbias32" finaliser). */
export const mix32 = (value: number): number => {
  let x = value >>> 0
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d)
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b)
  return (x ^ (x >>> 16)) >>> 0
}

/** Hash of (seed, a, b) as an unsigned 32-bit integer. */
export const hash3 = (seed: number, a: number, b: number): number =>
  mix32(seed ^ mix32((a + Math.imul(b, 0x9e3779b9)) >>> 0) ^ Math.imul(b, 0x85ebca6b))

/** A uniform number in [0, 1) from a 32-bit hash. */
export const toUnit = (hash: number): number => hash / 4294967296

/** Hash of (seed, a, b) as a uniform number in [0, 1). */
export const unit3 = (seed: number, a: number, b: number): number => toUnit(hash3(seed, a, b))
