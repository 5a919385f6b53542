import type { ColumnType } from "../schema/columns.js"
import type { VectorBindings, VectorHandle } from "./duckdb-library.js"
import { jsonText } from "../schema/columns.js"
import { grown } from "../schema/grown.js"
import { setInt64 } from "../schema/int64-words.js"
import { Utf8Strings } from "../schema/utf8-strings.js"
import { assertColumnValues } from "../schema/refused-value.js"

/**
 * One staging column's rows, converted as pages arrive and written into a data chunk's vector in
 * bulk. `@duckdb/node-api`'s vectors take values one by one (`setItem`): a BigInt shift per
 * validity bit, a wrapper object per list, a native call per string; that was most of the sink's
 * main-thread time. Here each type keeps its rows in typed arrays, and a chunk's column is one copy
 * into the vector (plus, for strings, one native string for the whole column, below).
 */
export interface ColumnRows {
  /**
   * Converts `values` into rows `at`…; throws (a one-line reason) on a value the column cannot hold.
   * Returns how many it stored changed (a lone surrogate as U+FFFD; a list's elements one by one).
   */
  put(values: ReadonlyArray<unknown>, at: number): number
  /** Writes rows [`from`, `from + count`) into `vector` (a reset chunk's, `count` rows long). */
  write(vector: VectorHandle, from: number, count: number): void
  /** Moves rows [`from`, `from + count`) to the front. */
  shift(from: number, count: number): void
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

/** Scratch for DuckDB's validity bits (one bit per row, 64-bit words, little-endian hosts). */
let bits = new Uint8Array(INITIAL_ROWS / 8)

/**
 * Packs rows [`from`, `from + count`) of `valid` into the vector's validity bits, 8 rows a byte.
 * When every row is valid it writes nothing: resetting a data chunk clears its validity masks.
 */
const writeValidity = (duckdb: VectorBindings, vector: VectorHandle, valid: Uint8Array, from: number, count: number) => {
  const byteCount = Math.ceil(count / 64) * 8
  if (byteCount > bits.length) bits = new Uint8Array(byteCount * 2)
  bits.fill(0, 0, byteCount)
  /** Any bit still 0 where a row is: a null row. */
  let nulls = 0
  let row = 0
  for (; row + 8 <= count; row += 8) {
    const at = from + row
    const byte =
      valid[at]! | (valid[at + 1]! << 1) | (valid[at + 2]! << 2) | (valid[at + 3]! << 3) |
      (valid[at + 4]! << 4) | (valid[at + 5]! << 5) | (valid[at + 6]! << 6) | (valid[at + 7]! << 7)
    bits[row >> 3] = byte
    nulls |= byte ^ 0xff
  }
  for (; row < count; row++) {
    bits[row >> 3]! |= valid[from + row]! << (row & 7)
    nulls |= valid[from + row]! ^ 1
  }
  if (nulls === 0) return
  duckdb.vector_ensure_validity_writable(vector)
  duckdb.copy_data_to_vector_validity(vector, 0, bits.buffer, 0, byteCount)
}

/**
 * A fixed-width column: `perRow` elements of its typed array per row, in DuckDB's own layout, so a
 * chunk's rows go over in one copy. Subclasses convert a page's values (`convert`).
 */
abstract class FixedWidthRows<A extends Uint8Array | Int32Array | Float64Array> implements ColumnRows {
  readonly valid = new Validity()
  values: A
  constructor(
    private readonly duckdb: VectorBindings,
    array: new (length: number) => A,
    private readonly perRow: number
  ) {
    this.values = new array(INITIAL_ROWS * perRow)
  }
  put(values: ReadonlyArray<unknown>, at: number) {
    const rows = at + values.length
    if (rows * this.perRow > this.values.length) this.values = grown(this.values, rows * this.perRow)
    this.valid.ensure(rows)
    this.convert(values, at, this.values, this.valid.bytes)
    return 0
  }
  /** Converts `values` into rows `at`… of `out`, setting their bytes in `valid`. */
  protected abstract convert(values: ReadonlyArray<unknown>, at: number, out: A, valid: Uint8Array): void
  write(vector: VectorHandle, from: number, count: number) {
    const rowBytes = this.values.BYTES_PER_ELEMENT * this.perRow
    this.duckdb.copy_data_to_vector(vector, 0, this.values.buffer, from * rowBytes, count * rowBytes)
    writeValidity(this.duckdb, vector, this.valid.bytes, from, count)
  }
  shift(from: number, count: number) {
    this.values.copyWithin(0, from * this.perRow, (from + count) * this.perRow)
    this.valid.bytes.copyWithin(0, from, from + count)
  }
}

class Float64Rows extends FixedWidthRows<Float64Array> {
  constructor(duckdb: VectorBindings) {
    super(duckdb, Float64Array, 1)
  }
  protected convert(values: ReadonlyArray<unknown>, at: number, out: Float64Array, valid: Uint8Array) {
    // Before any row: the typed array would take "abc" as NaN, silently.
    assertColumnValues("float64", values)
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      if (value === null) valid[at + i] = 0
      else {
        out[at + i] = value as number
        valid[at + i] = 1
      }
    }
  }
}

/** Each row as its two 32-bit halves, low first (little-endian hosts, `setInt64`). */
class Int64Rows extends FixedWidthRows<Int32Array> {
  constructor(duckdb: VectorBindings) {
    super(duckdb, Int32Array, 2)
  }
  protected convert(values: ReadonlyArray<unknown>, at: number, out: Int32Array, valid: Uint8Array) {
    // Before any row: 1.5 would be stored cut, "5" as 0 (refused-value.ts says what int64 takes).
    assertColumnValues("int64", values)
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      if (value === null) valid[at + i] = 0
      else {
        setInt64(out, at + i, value as number)
        valid[at + i] = 1
      }
    }
  }
}

class BoolRows extends FixedWidthRows<Uint8Array> {
  constructor(duckdb: VectorBindings) {
    super(duckdb, Uint8Array, 1)
  }
  protected convert(values: ReadonlyArray<unknown>, at: number, out: Uint8Array, valid: Uint8Array) {
    // Before any row: "false" would be stored as true.
    assertColumnValues("bool", values)
    for (let i = 0; i < values.length; i++) {
      const value = values[i]
      out[at + i] = value ? 1 : 0
      valid[at + i] = value === null ? 0 : 1
    }
  }
}

/**
 * Strings as UTF-8, cell after cell in one buffer ({@link Utf8Strings}, as the Parquet builder's),
 * encoded as each page arrives: a page's strings live no longer than the page (held until their
 * chunk filled, they outlived young-generation collections and were promoted), and a chunk's cells
 * are already one run of bytes.
 */
class Utf8Cells {
  /** Cell i's bytes; slack past the last cell: `writeStrings` reads a short cell as whole 4-byte words. */
  readonly strings = new Utf8Strings(INLINE_BYTES)
  readonly valid = new Validity()
  /** Scratch: a page's strings, kept while it is encoded. */
  private readonly texts: Array<string | null> = []
  private bytesView = new DataView(new ArrayBuffer(0))

  /** The cells' bytes as a DataView, to read them 4 at a time (made anew when they grew). */
  view(): DataView {
    const { buffer } = this.strings.bytes
    return this.bytesView.buffer === buffer ? this.bytesView : (this.bytesView = new DataView(buffer))
  }

  /**
   * Sets cells [`at`, `at + count`) to `values`' first `count` items (null: a null cell), strings
   * (checked by the caller) or, with `json`, any value as its JSON text.
   */
  put(values: ReadonlyArray<unknown>, count: number, at: number, json: boolean): number {
    const texts = this.texts
    texts.length = count
    this.valid.ensure(at + count)
    const valid = this.valid.bytes
    try {
      for (let i = 0; i < count; i++) {
        const text = json ? jsonText(values[i], i) : (values[i] ?? null) as string | null
        texts[i] = text
        valid[at + i] = text === null ? 0 : 1
      }
      return this.strings.put(texts, at)
    } finally {
      texts.fill(null, 0, count)
    }
  }
  /** Writes cells [`from`, `from + count`) into a VARCHAR vector (see `writeStrings`). */
  write(duckdb: VectorBindings, vector: VectorHandle, from: number, count: number) {
    writeStrings(duckdb, vector, this, from, count)
  }
  shift(from: number, count: number) {
    this.strings.shift(from, count)
    this.valid.bytes.copyWithin(0, from, from + count)
  }
}

class StringRows implements ColumnRows {
  private readonly cells = new Utf8Cells()
  constructor(
    private readonly duckdb: VectorBindings,
    private readonly json: boolean
  ) {}
  put(values: ReadonlyArray<unknown>, at: number) {
    // Before any row: a number would reach the UTF-8 writer as no string at all.
    if (!this.json) assertColumnValues("utf8", values)
    return this.cells.put(values, values.length, at, this.json)
  }
  write(vector: VectorHandle, from: number, count: number) {
    this.cells.write(this.duckdb, vector, from, count)
  }
  shift(from: number, count: number) {
    this.cells.shift(from, count)
  }
}

class ListRows implements ColumnRows {
  /** Every row's elements, one cell each. */
  private readonly elements = new Utf8Cells()
  /** Row r's elements are cells [starts[r], starts[r + 1]). */
  private starts = new Int32Array(INITIAL_ROWS + 1)
  private readonly valid = new Validity()
  /** Scratch: a page's elements, flattened; a chunk's (offset, length) list entries. */
  private readonly flat: Array<string | null> = []
  private entries = new Uint32Array(INITIAL_ROWS * 4)
  constructor(private readonly duckdb: VectorBindings) {}
  put(values: ReadonlyArray<unknown>, at: number) {
    // Before any row: "abc" would be taken as the list ["a", "b", "c"].
    assertColumnValues("list_utf8", values)
    const rows = at + values.length
    if (rows + 1 > this.starts.length) this.starts = grown(this.starts, rows + 1)
    this.valid.ensure(rows)
    const { starts, flat } = this
    const valid = this.valid.bytes
    const first = starts[at]!
    let count = 0
    try {
      for (let i = 0; i < values.length; i++) {
        const list = values[i] as ReadonlyArray<string | null | undefined> | null
        starts[at + i] = first + count
        valid[at + i] = list === null ? 0 : 1
        // An absent element (a hole, undefined) is null, as node-api's list value made it.
        if (list !== null) for (let k = 0; k < list.length; k++) flat[count++] = list[k] ?? null
      }
      const changed = this.elements.put(flat, count, first, false)
      starts[rows] = first + count
      return changed
    } finally {
      flat.fill(null, 0, count)
    }
  }
  write(vector: VectorHandle, from: number, count: number) {
    const { duckdb, starts } = this
    const first = starts[from]!
    const total = starts[from + count]! - first
    if (total > 0) {
      duckdb.list_vector_reserve(vector, total)
      duckdb.list_vector_set_size(vector, total)
      this.elements.write(duckdb, duckdb.list_vector_get_child(vector), first, total)
    } else duckdb.list_vector_set_size(vector, 0)
    if (count * 4 > this.entries.length) this.entries = new Uint32Array(count * 4)
    const entries = this.entries
    for (let row = 0; row < count; row++) {
      entries[row * 4] = starts[from + row]! - first
      entries[row * 4 + 1] = 0
      entries[row * 4 + 2] = starts[from + row + 1]! - starts[from + row]!
      entries[row * 4 + 3] = 0
    }
    duckdb.copy_data_to_vector(vector, 0, entries.buffer, 0, count * 16)
    writeValidity(duckdb, vector, this.valid.bytes, from, count)
  }
  shift(from: number, count: number) {
    const starts = this.starts
    const first = starts[from]!
    this.elements.shift(first, starts[from + count]! - first)
    for (let i = 0; i <= count; i++) starts[i] = starts[from + i]! - first
    this.valid.bytes.copyWithin(0, from, from + count)
  }
}

export const columnRows = (type: ColumnType, duckdb: VectorBindings): ColumnRows => {
  switch (type) {
    case "utf8":
      return new StringRows(duckdb, false)
    case "json":
      return new StringRows(duckdb, true)
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

/** Scratch: a chunk's column as `duckdb_string_t`s, as 32-bit words. */
let slots = new Int32Array(INITIAL_ROWS * 4)

/** The first n bytes of a little-endian word (n = 0…4). */
const LOW_BYTES = Int32Array.of(0, 0xff, 0xffff, 0xffffff, -1)

/**
 * Writes `count` cells into a VARCHAR vector with ONE native string: the cells' bytes, one run in
 * `cells.bytes`, are assigned to row 0, so DuckDB copies them into the vector's own string heap;
 * every row's `duckdb_string_t` (the C API's layout) then points into that copy, and the rows go
 * over in one copy. A native call per string was ~3× the cost. The heap lives as long as the
 * chunk's vector (until it is reset, after the appender copied the chunk). A slot is written as
 * four words; an inline string's bytes past its length are zero (DuckDB compares inline strings
 * as whole words).
 */
const writeStrings = (duckdb: VectorBindings, vector: VectorHandle, cells: Utf8Cells, from: number, count: number) => {
  const { bytes, offsets } = cells.strings
  const view = cells.view()
  const valid = cells.valid.bytes
  const base = offsets[from]!
  const total = offsets[from + count]! - base
  if (count * 4 > slots.length) slots = new Int32Array(count * 4 * 2)
  const words = slots
  let heapLow = 0
  let heapHigh = 0
  if (total > INLINE_BYTES) {
    // Row 0 holds the whole text: its slot's pointer (bytes 8–15) is where DuckDB put it.
    duckdb.vector_assign_string_element_len(vector, 0, bytes.subarray(base, base + total))
    const head = duckdb.vector_get_data(vector, STRING_T)
    const pointer = new DataView(head.buffer, head.byteOffset, STRING_T)
    heapLow = pointer.getUint32(8, true)
    heapHigh = pointer.getUint32(12, true)
  }
  for (let row = 0; row < count; row++) {
    const w = row * 4
    const start = offsets[from + row]!
    const length = valid[from + row] === 0 ? 0 : offsets[from + row + 1]! - start
    words[w] = length
    if (length <= INLINE_BYTES) {
      words[w + 1] = length === 0 ? 0 : view.getInt32(start, true) & LOW_BYTES[length < 4 ? length : 4]!
      words[w + 2] = length <= 4 ? 0 : view.getInt32(start + 4, true) & LOW_BYTES[length < 8 ? length - 4 : 4]!
      words[w + 3] = length <= 8 ? 0 : view.getInt32(start + 8, true) & LOW_BYTES[length - 8]!
    } else {
      words[w + 1] = view.getInt32(start, true)
      const low = heapLow + start - base
      words[w + 2] = low | 0
      words[w + 3] = heapHigh + (low > 0xffffffff ? 1 : 0)
    }
  }
  duckdb.copy_data_to_vector(vector, 0, words.buffer, 0, count * STRING_T)
  writeValidity(duckdb, vector, valid, from, count)
}
