import { type Data, DataType, type Vector } from "apache-arrow"

/**
 * A cell of an Arrow vector read back exactly, in the records' JS shape (int64 as a number, a list
 * as an array, null for null). Strings are decoded from their bytes here: apache-arrow's own `get`
 * decodes each value with `TextDecoder`'s defaults, which drop a leading U+FEFF, so a string that
 * begins with one (any-unicode properties generate them) would read back changed when the bytes
 * the sink wrote hold it.
 */
export const cellOf = (vector: Vector, row: number): unknown => {
  if (!vector.isValid(row)) return null
  if (DataType.isUtf8(vector.type)) return utf8At(vector, row)
  if (DataType.isList(vector.type)) {
    const list = vector.get(row) as Vector
    return Array.from({ length: list.length }, (_, i) => cellOf(list, i))
  }
  const value: unknown = vector.get(row)
  return typeof value === "bigint" ? Number(value) : value
}

const utf8At = (vector: Vector, row: number): string => {
  let at = row
  for (const data of vector.data as ReadonlyArray<Data<DataType>>) {
    if (at < data.length) {
      const offsets = data.valueOffsets as Int32Array
      const values = data.values as Uint8Array
      return Buffer.from(values.buffer, values.byteOffset + offsets[at]!, offsets[at + 1]! - offsets[at]!).toString("utf8")
    }
    at -= data.length
  }
  throw new RangeError(`row ${row}: past the vector's ${vector.length} rows`)
}
