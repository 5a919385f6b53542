import { isWellFormed } from "@tikflow/core/internal"
import { grown } from "./grown.js"

/**
 * Strings as UTF-8, one after another in ONE byte run, with Arrow's int32 offsets: string i's bytes
 * are [offsets[i], offsets[i + 1]), a null's and an empty string's none. Both columnar sinks hold a
 * page's strings this way as the page arrives (no string outlives its page): the Parquet builder
 * hands the buffers over as an Arrow utf8 column's (`column-data.ts`), the DuckDB sink points its
 * `duckdb_string_t`s into them (`duckdb-vectors.ts`). The buffers grow and are reused.
 */
export class Utf8Strings {
  bytes = new Uint8Array(0)
  /** Empty until the first `put` (an Arrow column that never took a row has no offsets, as apache-arrow writes it). */
  offsets = new Int32Array(0)
  /** Whether the last page was all ASCII: the next is then written joined, else string by string. */
  private ascii = true

  /** `slack`: bytes kept past the last string (DuckDB's reader takes a short string as whole 4-byte words). */
  constructor(private readonly slack = 0) {}

  /**
   * Sets strings [`at`, `at + values.length`) to `values`, after the strings before `at` (those
   * from `at` on are dropped); a lone surrogate is written as U+FFFD, as `TextEncoder` writes it.
   * Returns how many strings that changed (not well-formed ones; an ASCII page has none).
   */
  put(values: ReadonlyArray<string | null>, at: number): number {
    let units = 0
    // Whether the page is one string over and over (a provenance column's): copied, not joined.
    let oneRun = true
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (v != null) units += v.length
      oneRun &&= v === values[0]
    }
    if (at + values.length + 1 > this.offsets.length) this.offsets = grown(this.offsets, at + values.length + 1)
    // 3 bytes at most per UTF-16 unit.
    const end = this.offsets[at]! + units * 3 + this.slack
    if (end > this.bytes.length) this.bytes = grown(this.bytes, end)
    const { bytes, offsets } = this
    // A column's pages are ASCII or not page after page (ids, codes, names; descriptions in any
    // language): one native write of the joined page where the last page was ASCII (a page's ids
    // 3× faster than a write each), a write per string where it was not (a page written joined
    // and then again string by string cost 1.6× that).
    if (this.ascii && !oneRun && writeJoined(bytes, offsets, values, at, units)) return 0
    this.ascii = writeEach(bytes, offsets, values, at) - offsets[at]! === units
    return this.ascii ? 0 : notWellFormed(values)
  }

  /** Where string `index`'s bytes start (0 before the first `put`). */
  start(index: number): number {
    return this.offsets.length === 0 ? 0 : this.offsets[index]!
  }

  /** Moves strings [`from`, `from + count`) to the front. */
  shift(from: number, count: number): void {
    const offsets = this.offsets
    const base = offsets[from]!
    this.bytes.copyWithin(0, base, offsets[from + count])
    for (let i = 0; i <= count; i++) offsets[i] = offsets[from + i]! - base
  }
}

/**
 * Writes `values` (`units` UTF-16 units) joined, in one write from string `at`'s offset on, and
 * their offsets when that write took a byte a unit (all ASCII); false, offsets untouched, if not.
 */
const writeJoined = (bytes: Uint8Array, offsets: Int32Array, values: ReadonlyArray<string | null>, at: number, units: number): boolean => {
  // One flat string (a null joins as ""): no rope of pieces.
  if (units > 0 && writeUtf8(bytes, values.join(""), offsets[at]!) !== units) return false
  let position = offsets[at]!
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v != null) position += v.length
    offsets[at + i + 1] = position
  }
  return true
}

/** How many of `values` hold a lone surrogate (UTF-8 has no bytes for one). */
const notWellFormed = (values: ReadonlyArray<string | null>): number => {
  let count = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v != null && !isWellFormed(v)) count++
  }
  return count
}

/** Writes `values` one by one from string `at`'s offset on, and their offsets; returns the end. */
const writeEach = (bytes: Uint8Array, offsets: Int32Array, values: ReadonlyArray<string | null>, at: number): number => {
  let position = offsets[at]!
  // The last string and where its bytes start: provenance columns repeat one string a page.
  let previous: string | null = null
  let previousStart = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v != null && v.length > 0) {
      if (v === previous) {
        // The same text again (the same string, a pointer compare; a provenance column's page is
        // one run of it): the run's bytes are copied, doubling, in a few copies instead of one per row.
        let run = 1
        while (i + run < values.length && values[i + run] === v) run++
        const size = position - previousStart
        bytes.copyWithin(position, previousStart, position)
        for (let copied = 1; copied < run; copied *= 2) {
          bytes.copyWithin(position + copied * size, position, position + Math.min(copied, run - copied) * size)
        }
        for (let k = 0; k < run; k++) offsets[at + i + k + 1] = position += size
        previousStart = position - size
        i += run - 1
        continue
      }
      previous = v
      previousStart = position
      position += writeUtf8(bytes, v, position)
    }
    offsets[at + i + 1] = position
  }
  return position
}

const encoder = new TextEncoder()
const nativeUtf8Write = (Buffer.prototype as { utf8Write?: (this: Uint8Array, text: string, offset: number) => number }).utf8Write

/**
 * Writes `text` as UTF-8 into `bytes` from `at` and returns the bytes written. Node's own
 * `utf8Write` (on any Uint8Array) where it has one: on Node 20 a char loop here cost ~1 µs per
 * video (V8 11 called `charCodeAt` generically per char once the column's strings came in more
 * than four representations: JSON.parse's, internalized, two-byte, JSON.stringify's), the native
 * write ~0.3, `encodeInto` with its subarray ~0.5 (the sandbox's videos, built as the CLI does).
 */
const writeUtf8 = nativeUtf8Write === undefined
  ? (bytes: Uint8Array, text: string, at: number): number => encoder.encodeInto(text, bytes.subarray(at)).written
  : (bytes: Uint8Array, text: string, at: number): number => nativeUtf8Write.call(bytes, text, at)
