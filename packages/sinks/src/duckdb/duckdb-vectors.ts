import type { ColumnType } from "../schema/columns.js"
import type { VectorBindings, VectorHandle } from "./duckdb-library.js"
import { jsonText } from "../schema/columns.js"

/**
 * One staging column's rows, converted as pages arrive and written into a data chunk's vector in
 * bulk. `@duckdb/node-api`'s vectors take values one by one (`setItem`): a BigInt shift per
 * validity bit, a wrapper object per list, a native call per string; that was most of the sink's
 * main-thread time. Here each type keeps its rows in typed arrays, and a chunk's column is one copy
 * into the vector (plus, for strings, one native string for the whole column, below).
 */
export interface ColumnRows {
  /** Converts `values` into rows `at`…; throws (a one-line reason) on a value the column cannot hold. */
  put(values: ReadonlyArray<unknown>, at: number): void
  /** Writes rows [`from`, `from + count`) into `vector` (a reset chunk's, `count` rows long). */
  write(vector: VectorHandle, from: number, count: number): void
  /** Moves rows [`from`, `from + count`) to the front. */
  shift(from: number, count: number): void
  /** Forgets every row (an epoch's strings are not kept alive past it). */
  clear(): void
}

/** Rows a column holds before it first grows: a data chunk's and a page's. */
const INITIAL_ROWS = 4096

/** A byte per row, 1 when the row is not null; packed into DuckDB's validity bits by `writeValidity`. */
class Validity {
  bytes = new Uint8Array(INITIAL_ROWS)
  ensure(rows: number) {
    if (rows > this.bytes.length) this.bytes = grown(this.bytes, rows)
  }
}

const grown = <A extends Uint8Array | Int32Array | Float64Array>(array: A, rows: number): A => {
  let length = array.length
  while (length < rows) length *= 2
  const next = new (array.constructor as new (length: number) => A)(length)
  next.set(array)
  return next
}

/** Scratch for DuckDB's validity bits (one bit per row, 64-bit words, little-endian hosts). */
let bits = new Uint8Array(INITIAL_ROWS / 8)

const writeValidity = (duckdb: VectorBindings, vector: VectorHandle, valid: Uint8Array, from: number, count: number) => {
  const byteCount = Math.ceil(count / 64) * 8
  if (byteCount > bits.length) bits = new Uint8Array(byteCount * 2)
  bits.fill(0, 0, byteCount)
  for (let row = 0; row < count; row++) bits[row >> 3]! |= valid[from + row]! << (row & 7)
  duckdb.vector_ensure_validity_writable(vector)
  duckdb.copy_data_to_vector_validity(vector, 0, bits.buffer, 0, byteCount)
}

/**
 * A fixed-width column: `perRow` elements of its typed array per row, in DuckDB's own layout, so a
 * chunk's rows go over in one copy. Subclasses convert the values (`put`).
 */
abstract class FixedWidthRows<A extends Uint8Array | Int32Array | Float64Array> implements ColumnRows {
  readonly valid = new Validity()
  constructor(
    protected readonly duckdb: VectorBindings,
    public values: A,
    private readonly perRow: number
  ) {}
  abstract put(values: ReadonlyArray<unknown>, at: number): void
  /** Room for rows up to `rows`. */
  protected reserve(rows: number) {
    if (rows * this.perRow > this.values.length) this.values = grown(this.values, rows * this.perRow)
    this.valid.ensure(rows)
  }
  write(vector: VectorHandle, from: number, count: number) {
    const rowBytes = this.values.BYTES_PER_ELEMENT * this.perRow
    this.duckdb.copy_data_to_vector(vector, 0, this.values.buffer, from * rowBytes, count * rowBytes)
    writeValidity(this.duckdb, vector, this.valid.bytes, from, count)
  }
  shift(from: number, count: number) {
    this.values.copyWithin(0, from * this.perRow, (from + count) * this.perRow)
    this.valid.bytes.copyWithin(0, from, from + count)
  }
  clear() {}
}

class Float64Rows extends FixedWidthRows<Float64Array> {
  constructor(duckdb: VectorBindings) {
    super(duckdb, new Float64Array(INITIAL_ROWS), 1)
  }
  put(values: ReadonlyArray<unknown>, at: number) {
    this.reserve(at + values.length)
    const out = this.values
    const valid = this.valid.bytes
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      if (value === null) valid[at + i] = 0
      else if (typeof value === "bigint") throw new Error(`expected a number, got the bigint ${value}`)
      else {
        // A typed array's own coercion, as node-api's setItem stores a double.
        out[at + i] = value as number
        valid[at + i] = 1
      }
    }
  }
}

const TWO_POW_32 = 4294967296
const TWO_POW_63 = 9223372036854775808

/** Each row as its two 32-bit halves, low first (little-endian hosts): a number is stored without a BigInt. */
class Int64Rows extends FixedWidthRows<Int32Array> {
  constructor(duckdb: VectorBindings) {
    super(duckdb, new Int32Array(INITIAL_ROWS * 2), 2)
  }
  put(values: ReadonlyArray<unknown>, at: number) {
    this.reserve(at + values.length)
    const out = this.values
    const valid = this.valid.bytes
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      const row = at + i
      if (value === null) {
        valid[row] = 0
        continue
      }
      if (typeof value === "number" && Number.isInteger(value) && value >= -TWO_POW_63 && value < TWO_POW_63) {
        out[row * 2] = value % TWO_POW_32 | 0
        out[row * 2 + 1] = Math.floor(value / TWO_POW_32) | 0
      } else {
        const big = int64Of(value)
        out[row * 2] = Number(BigInt.asIntN(32, big))
        out[row * 2 + 1] = Number(big >> 32n)
      }
      valid[row] = 1
    }
  }
}

/** What node-api's BIGINT vector took: `BigInt(value)` (a whole number, a bigint, a numeric string) within int64. */
const int64Of = (value: unknown): bigint => {
  let big: bigint
  try {
    big = typeof value === "bigint" ? value : BigInt(value as number)
  } catch {
    throw new Error(`expected a whole number, got ${describe(value)}`)
  }
  if (BigInt.asIntN(64, big) !== big) throw new Error(`expected a whole number within int64, got ${big}`)
  return big
}

const describe = (value: unknown): string =>
  typeof value === "string" ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value === "object" ? (Array.isArray(value) ? "an array" : "an object") : String(value)

class BoolRows extends FixedWidthRows<Uint8Array> {
  constructor(duckdb: VectorBindings) {
    super(duckdb, new Uint8Array(INITIAL_ROWS), 1)
  }
  put(values: ReadonlyArray<unknown>, at: number) {
    this.reserve(at + values.length)
    const out = this.values
    const valid = this.valid.bytes
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      out[at + i] = value ? 1 : 0
      valid[at + i] = value === null ? 0 : 1
    }
  }
}

class StringRows implements ColumnRows {
  /** The rows' strings (null for a null row); the array only grows, `at` says where rows end. */
  readonly values: Array<string | null> = []
  constructor(
    private readonly duckdb: VectorBindings,
    private readonly text: (value: unknown) => string | null
  ) {}
  put(values: ReadonlyArray<unknown>, at: number) {
    const out = this.values
    for (let i = 0; i < values.length; i++) out[at + i] = this.text(values[i])
  }
  write(vector: VectorHandle, from: number, count: number) {
    writeStrings(this.duckdb, vector, this.values, from, count)
  }
  shift(from: number, count: number) {
    this.values.copyWithin(0, from, from + count)
  }
  clear() {
    this.values.length = 0
  }
}

const utf8Of = (value: unknown): string | null => {
  if (typeof value === "string" || value === null) return value
  throw new Error(`expected a string, got ${describe(value)}`)
}

/** `jsonText` refuses nothing JSON.stringify takes; a value it makes nothing of (a function) is null, as before. */
const jsonOf = (value: unknown): string | null => jsonText(value) ?? null

class ListRows implements ColumnRows {
  readonly values: Array<ReadonlyArray<string | null> | null> = []
  /** Scratch: one chunk's elements, flattened, and each row's (offset, length) as DuckDB's list entries. */
  private elements: Array<string | null> = []
  private entries = new Uint32Array(INITIAL_ROWS * 4)
  constructor(private readonly duckdb: VectorBindings) {}
  put(values: ReadonlyArray<unknown>, at: number) {
    const out = this.values
    for (let i = 0; i < values.length; i++) out[at + i] = listOf(values[i])
  }
  write(vector: VectorHandle, from: number, count: number) {
    const valid = new Uint8Array(count)
    const total = this.flatten(from, count, valid)
    const duckdb = this.duckdb
    if (total > 0) {
      duckdb.list_vector_reserve(vector, total)
      duckdb.list_vector_set_size(vector, total)
      writeStrings(duckdb, duckdb.list_vector_get_child(vector), this.elements, 0, total)
    } else duckdb.list_vector_set_size(vector, 0)
    duckdb.copy_data_to_vector(vector, 0, this.entries.buffer, 0, count * 16)
    writeValidity(duckdb, vector, valid, 0, count)
  }
  /** Fills `elements` and `entries` for rows [from, from + count) and `valid`; returns the element count. */
  private flatten(from: number, count: number, valid: Uint8Array): number {
    if (count * 4 > this.entries.length) this.entries = new Uint32Array(count * 4)
    const entries = this.entries
    const elements = this.elements
    let total = 0
    for (let row = 0; row < count; row++) {
      const list = this.values[from + row]!
      entries[row * 4] = total
      entries[row * 4 + 1] = 0
      entries[row * 4 + 2] = list === null ? 0 : list.length
      entries[row * 4 + 3] = 0
      if (list === null) continue
      valid[row] = 1
      for (let k = 0; k < list.length; k++) elements[total++] = list[k]!
    }
    elements.length = total
    return total
  }
  shift(from: number, count: number) {
    this.values.copyWithin(0, from, from + count)
  }
  clear() {
    this.values.length = 0
    this.elements.length = 0
  }
}

const listOf = (value: unknown): ReadonlyArray<string | null> | null => {
  if (value === null) return null
  if (!Array.isArray(value)) throw new Error(`expected a list of strings, got ${describe(value)}`)
  for (let k = 0; k < value.length; k++) {
    const item: unknown = value[k]
    // An absent element (a hole, undefined) is null, as node-api's list value made it.
    if (item === undefined) return value.map((element: unknown) => (element === undefined ? null : utf8Of(element)))
    if (typeof item !== "string" && item !== null) throw new Error(`expected a list of strings, got ${describe(item)} in it`)
  }
  return value as ReadonlyArray<string | null>
}

export const columnRows = (type: ColumnType, duckdb: VectorBindings): ColumnRows => {
  switch (type) {
    case "utf8":
      return new StringRows(duckdb, utf8Of)
    case "json":
      return new StringRows(duckdb, jsonOf)
    case "int64":
      return new Int64Rows(duckdb)
    case "float64":
      return new Float64Rows(duckdb)
    case "bool":
      return new BoolRows(duckdb)
    case "list_utf8":
      return new ListRows(duckdb)
  }
}

/** DuckDB's `duckdb_string_t`: 16 bytes, a uint32 length then the string inline (up to 12 bytes) or its first 4 bytes and a pointer. */
const STRING_T = 16
const INLINE_BYTES = 12

/** Scratch: a column's strings as UTF-8, each one's byte offset, and the column's `duckdb_string_t`s. */
let utf8 = Buffer.allocUnsafe(1 << 16)
let offsets = new Int32Array(INITIAL_ROWS + 1)
let slots = new Uint8Array(INITIAL_ROWS * STRING_T)

/**
 * Writes `count` strings into a VARCHAR vector with ONE native string: the column's strings,
 * concatenated as UTF-8, are assigned to row 0, so DuckDB copies them into the vector's own string
 * heap; every row's `duckdb_string_t` (the C API's layout) then points into that copy, and the
 * rows go over in one copy. A native call per string was ~3× the cost. The heap lives as long as
 * the chunk's vector (until it is reset, after the appender copied the chunk).
 */
const writeStrings = (duckdb: VectorBindings, vector: VectorHandle, strings: ReadonlyArray<string | null>, from: number, count: number) => {
  const bytes = encode(strings, from, count)
  if (count * STRING_T > slots.length) slots = new Uint8Array(count * STRING_T * 2)
  slots.fill(0, 0, count * STRING_T)
  let heapLow = 0
  let heapHigh = 0
  if (bytes > INLINE_BYTES) {
    // Row 0 holds the whole text: its slot's pointer (bytes 8–15) is where DuckDB put it.
    duckdb.vector_assign_string_element_len(vector, 0, utf8.subarray(0, bytes))
    const head = duckdb.vector_get_data(vector, STRING_T)
    const words = new Uint32Array(head.buffer, head.byteOffset, 4)
    heapLow = words[2]!
    heapHigh = words[3]!
  }
  const words = new Uint32Array(slots.buffer, 0, count * 4)
  const valid = new Uint8Array(count)
  for (let row = 0; row < count; row++) {
    if (strings[from + row] === null) continue
    valid[row] = 1
    const start = offsets[row]!
    const length = offsets[row + 1]! - start
    const at = row * STRING_T
    words[row * 4] = length
    if (length <= INLINE_BYTES) {
      for (let k = 0; k < length; k++) slots[at + 4 + k] = utf8[start + k]!
    } else {
      slots[at + 4] = utf8[start]!
      slots[at + 5] = utf8[start + 1]!
      slots[at + 6] = utf8[start + 2]!
      slots[at + 7] = utf8[start + 3]!
      const low = heapLow + start
      words[row * 4 + 2] = low >>> 0
      words[row * 4 + 3] = heapHigh + (low > 0xffffffff ? 1 : 0)
    }
  }
  duckdb.copy_data_to_vector(vector, 0, slots.buffer, 0, count * STRING_T)
  writeValidity(duckdb, vector, valid, 0, count)
}

/** Encodes strings [from, from + count) into `utf8`, their byte offsets (relative to row `from`) into `offsets`; returns the byte count. */
const encode = (strings: ReadonlyArray<string | null>, from: number, count: number): number => {
  if (count + 1 > offsets.length) offsets = new Int32Array((count + 1) * 2)
  let text = ""
  for (let row = 0; row < count; row++) {
    const value = strings[from + row]
    if (value !== null) text += value
  }
  if (text.length * 3 > utf8.length) utf8 = Buffer.allocUnsafe(text.length * 3 * 2)
  const bytes = utf8.write(text, 0, "utf8")
  let position = 0
  if (bytes === text.length) {
    // All ASCII (any other character takes more than one byte per UTF-16 unit): a byte per unit.
    for (let row = 0; row < count; row++) {
      offsets[row] = position
      const value = strings[from + row]
      if (value !== null) position += value.length
    }
  } else {
    for (let row = 0; row < count; row++) {
      offsets[row] = position
      const value = strings[from + row]
      if (value !== null) position += utf8.write(value, position, "utf8")
    }
  }
  offsets[count] = position
  return position
}
