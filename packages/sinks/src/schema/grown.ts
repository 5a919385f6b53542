/** The typed arrays the sinks keep as scratch, grown and reused page after page. */
export type Scratch = Uint8Array | Int32Array | Float64Array | BigInt64Array

/**
 * A copy of `array` at least twice its size, with room for `needed` elements. Callers check the
 * length first: a call per page and column over four array types was ~5% of building a page.
 */
export const grown = <A extends Scratch>(array: A, needed: number): A => {
  const next = new (array.constructor as new (length: number) => A)(Math.max(needed, 2 * array.length))
  next.set(array as never)
  return next
}
