import { grown } from "./grown.js"
import { setInt64 } from "./int64-words.js"
import { Utf8Strings } from "./utf8-strings.js"

// Filling Arrow buffers directly is 3× (utf8) to 13× (list<utf8>) faster than vectorFromArray
// (measured, see shared/notes/stack.md), and the converter is the hot loop of every file sink.
// A column is appended page by page into scratch buffers that grow and are reused: the sink keeps
// no records while a batch fills (they would outlive young-generation GCs), and `take` hands the
// rows over as views of those buffers (the Parquet sink copies them once, into its hand-over slot;
// `copyColumnData` copies them out for a batch that is kept). The buffers are Arrow's memory layout, but no apache-arrow
// object is made here: the Parquet sink writes them as IPC bytes itself (see ipc-stream.ts), and
// only the sinks handing out Arrow objects wrap them (see record-batch.ts).

/**
 * One column's Arrow buffers: validity bits (1 = a value; all zero bits when `nullCount` is 0),
 * then by type: int32 offsets and UTF-8 bytes (utf8), int64 or float64 values, value bits (bool),
 * offsets and the items' column (list<utf8>).
 */
export interface ColumnData {
  readonly length: number
  readonly nullCount: number
  readonly nullBitmap: Uint8Array
  readonly valueOffsets?: Int32Array
  readonly values?: Uint8Array | BigInt64Array | Float64Array
  readonly child?: ColumnData
}

/** One Arrow column filled by appending values. */
export interface ColumnBuilder {
  /** Returns how many values it stored changed (a string's lone surrogate as U+FFFD; a list's elements one by one). */
  append(values: ReadonlyArray<unknown>): number
  /** The rows appended so far, as views of the builder's buffers, valid until the next `append`; the builder starts afresh. */
  take(): ColumnData
}

/** `column` with buffers of its own, at their exact size: what outlives its builder's next `append`. */
export const copyColumnData = (column: ColumnData): ColumnData => ({
  length: column.length,
  nullCount: column.nullCount,
  nullBitmap: column.nullBitmap.slice(),
  ...(column.valueOffsets === undefined ? {} : { valueOffsets: column.valueOffsets.slice() }),
  ...(column.values === undefined ? {} : { values: column.values.slice() }),
  ...(column.child === undefined ? {} : { child: copyColumnData(column.child) })
})

/** Bits set row by row (Arrow's order: row r is bit r % 8 of byte r / 8), reused batch after batch. */
class Bitmap {
  private bytes = new Uint8Array(0)
  /** Bytes taken (still in the taker's hands) and cleared before the next batch's first bits. */
  private taken = 0

  /** The bytes, with room for `rows` rows; set a row's bit with `bytes[row >> 3] |= 1 << (row & 7)`. */
  reserve(rows: number): Uint8Array {
    if (this.taken > 0) {
      this.bytes.fill(0, 0, this.taken)
      this.taken = 0
    }
    if ((rows + 7) >> 3 > this.bytes.length) this.bytes = grown(this.bytes, (rows + 7) >> 3)
    return this.bytes
  }

  /** The first `length` rows' bits, a view until the next `reserve`, which starts the next batch. */
  take(length: number): Uint8Array {
    const bytes = (length + 7) >> 3
    // An earlier batch's bits not yet cleared (no row came since) stay to be cleared.
    this.taken = Math.max(this.taken, bytes)
    return this.bytes.subarray(0, bytes)
  }
}

/** Validity bits (1 = a value); null and undefined are nulls. */
class ValidityBuilder {
  private readonly bitmap = new Bitmap()
  private nullCount = 0

  append(values: ReadonlyArray<unknown>, at: number): void {
    const bitmap = this.bitmap.reserve(at + values.length)
    for (let i = 0; i < values.length; i++) {
      const row = at + i
      if (values[i] == null) this.nullCount++
      else bitmap[row >> 3] |= 1 << (row & 7)
    }
  }

  take(length: number): { nullBitmap: Uint8Array; nullCount: number } {
    const out = { nullBitmap: this.bitmap.take(length), nullCount: this.nullCount }
    this.nullCount = 0
    return out
  }
}

/** The parts of a utf8 or list<utf8> column's data besides its payload: validity and the offsets of its `length` rows. */
const offsetColumn = (length: number, validity: ValidityBuilder, offsets: Int32Array) =>
  ({ length, ...validity.take(length), valueOffsets: offsets.subarray(0, length + 1) })

/** A utf8 column: its strings' bytes and offsets are a {@link Utf8Strings}' (one home for both sinks). */
export class Utf8Builder implements ColumnBuilder {
  private length = 0
  private readonly strings = new Utf8Strings()
  private readonly validity = new ValidityBuilder()

  append(values: ReadonlyArray<string | null>): number {
    this.validity.append(values, this.length)
    const changed = this.strings.put(values, this.length)
    this.length += values.length
    return changed
  }

  take(): ColumnData {
    const { length, strings } = this
    const data = { ...offsetColumn(length, this.validity, strings.offsets), values: strings.bytes.subarray(0, strings.start(length)) }
    this.length = 0
    return data
  }
}

/** A column of 8-byte numbers: validity, growth and `take` here; how a page's values are written in `fill`. */
abstract class NumberBuilder<A extends BigInt64Array | Float64Array> implements ColumnBuilder {
  private length = 0
  private readonly validity = new ValidityBuilder()

  constructor(private data: A) {}

  append(values: ReadonlyArray<number | null>): number {
    this.validity.append(values, this.length)
    if (this.length + values.length > this.data.length) this.data = grown(this.data, this.length + values.length)
    this.fill(this.data, values, this.length)
    this.length += values.length
    return 0
  }

  take(): ColumnData {
    const { length } = this
    const data = { length, ...this.validity.take(length), values: this.data.subarray(0, length) }
    this.length = 0
    return data
  }

  /** Writes `values` into `data` from row `at` (a null as 0). */
  protected abstract fill(data: A, values: ReadonlyArray<number | null>, at: number): void
}

/** Values checked by refused-value.ts's `assertColumnValues` (safe integers). */
export class Int64Builder extends NumberBuilder<BigInt64Array> {
  constructor() {
    super(new BigInt64Array(0))
  }

  protected fill(data: BigInt64Array, values: ReadonlyArray<number | null>, at: number): void {
    const words = new Int32Array(data.buffer)
    for (let i = 0; i < values.length; i++) setInt64(words, at + i, values[i] ?? 0)
  }
}

export class Float64Builder extends NumberBuilder<Float64Array> {
  constructor() {
    super(new Float64Array(0))
  }

  protected fill(data: Float64Array, values: ReadonlyArray<number | null>, at: number): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      data[at + i] = v == null ? 0 : v
    }
  }
}

export class BoolBuilder implements ColumnBuilder {
  private length = 0
  private readonly bits = new Bitmap()
  private readonly validity = new ValidityBuilder()

  append(values: ReadonlyArray<boolean | null>): number {
    this.validity.append(values, this.length)
    const bits = this.bits.reserve(this.length + values.length)
    for (let i = 0; i < values.length; i++) {
      const row = this.length + i
      if (values[i] === true) bits[row >> 3] |= 1 << (row & 7)
    }
    this.length += values.length
    return 0
  }

  take(): ColumnData {
    const { length } = this
    const data = { length, ...this.validity.take(length), values: this.bits.take(length) }
    this.length = 0
    return data
  }
}

export class ListUtf8Builder implements ColumnBuilder {
  private length = 0
  private offsets = new Int32Array(0)
  private readonly validity = new ValidityBuilder()
  private readonly items = new Utf8Builder()
  private itemCount = 0

  append(values: ReadonlyArray<ReadonlyArray<string> | null>): number {
    this.validity.append(values, this.length)
    if (this.length + values.length + 1 > this.offsets.length) this.offsets = grown(this.offsets, this.length + values.length + 1)
    const { offsets } = this
    const items: Array<string> = []
    for (let i = 0; i < values.length; i++) {
      const list = values[i]
      if (list != null) for (let j = 0; j < list.length; j++) items.push(list[j])
      offsets[this.length + i + 1] = this.itemCount + items.length
    }
    const changed = this.items.append(items)
    this.itemCount += items.length
    this.length += values.length
    return changed
  }

  take(): ColumnData {
    const data = { ...offsetColumn(this.length, this.validity, this.offsets), child: this.items.take() }
    this.length = 0
    this.itemCount = 0
    return data
  }
}
