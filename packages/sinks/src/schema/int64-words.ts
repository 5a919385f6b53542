/**
 * Writes `value`, a whole number within int64's range, as int64 row `row` of `words`: its two 32-bit
 * halves, low first (little-endian, as on every platform Node runs on), so a number is stored without
 * a BigInt (creating one per value is several times slower). Exact for every such number, negative
 * ones included. The Parquet builder's and the DuckDB sink's int64 columns both write so.
 */
export const setInt64 = (words: Int32Array, row: number, value: number): void => {
  // An Int32Array keeps a number modulo 2^32 (ToInt32): the low half as it is, the high half divided.
  words[2 * row] = value
  words[2 * row + 1] = Math.floor(value / 4294967296)
}
