/**
 * Lossless JSON for Research API bodies. The API sends ids as bare JSON numbers beyond 2^53
 * (`"id": 7320768196569599275`), which `JSON.parse` silently rounds. `parseLosslessJson` quotes
 * every integer literal that is not a safe integer before handing the text to the native parser,
 * so such ids arrive as decimal strings with their exact digits while everything else parses as
 * `JSON.parse` would.
 *
 * Why a rewrite pass rather than a hand-written parser: the native parser is an order of
 * magnitude faster than any JS one, and the rewrite only has to find long digit runs outside
 * strings (one scan that jumps over each string with `indexOf`).
 */

import { jsonErrorPosition } from "./json-error-position.js"

/** Malformed JSON: `position` is the offset in the original text where parsing failed. */
export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError"
  constructor(
    message: string,
    readonly position: number
  ) {
    super(message)
  }
}

const MAX_SAFE_DIGITS = "9007199254740991" // 2^53 − 1: 16 digits
const QUOTE = 34
const BACKSLASH = 92
const MINUS = 45
const PLUS = 43
const DOT = 46
const LOWER_E = 101
const UPPER_E = 69
const ZERO = 48
const NINE = 57

/** Index of the quote closing the string whose content starts at `from`, or -1 if unterminated. */
const endOfString = (text: string, from: number): number => {
  let at = text.indexOf('"', from)
  while (at !== -1) {
    let backslashes = 0
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++
    if ((backslashes & 1) === 0) return at
    at = text.indexOf('"', at + 1)
  }
  return -1
}

/**
 * Rewrites `text` so every unsafe integer literal outside strings is a JSON string; returns the
 * text itself when there is none. One pass: strings are skipped with `indexOf` (most of a body's
 * bytes), the rest is walked by char code, which measured ~2× faster than a regex scan.
 */
export const quoteUnsafeIntegers = (text: string): string => rewrite(text, undefined) as string

/**
 * The edits of {@link quoteUnsafeIntegers}, and with `runs` ({@link HighRuns}: `text` is then the
 * Latin-1 reading of UTF-8 bytes) each run of non-ASCII bytes replaced by `\uXXXX` escapes of what
 * those bytes decode to; undefined when a run follows a backslash (the escape would change meaning).
 */
const rewrite = (text: string, runs: HighRuns | undefined): string | undefined => {
  const length = text.length
  const edits = new Edits(text, runs)
  let at = 0
  while (at < length) {
    const char = text.charCodeAt(at)
    if (char === QUOTE) {
      const end = endOfString(text, at + 1)
      if (end === -1) break // unterminated: JSON.parse reports it
      at = end + 1
      continue
    }
    if (char < ZERO || char > NINE) {
      at++
      continue
    }
    const start = at
    do at++
    while (at < length && text.charCodeAt(at) >= ZERO && text.charCodeAt(at) <= NINE)
    const digits = at - start
    if (digits < MAX_SAFE_DIGITS.length) continue
    // Fraction digits, exponent digits and non-integers are left to JSON.parse (they are not ids).
    const after = text.charCodeAt(at)
    if (after === DOT || after === LOWER_E || after === UPPER_E) continue
    const before = text.charCodeAt(start - 1)
    if (before === DOT || before === LOWER_E || before === UPPER_E || before === PLUS) continue
    let tokenStart = start
    if (before === MINUS) {
      const sign = text.charCodeAt(start - 2)
      if (sign === LOWER_E || sign === UPPER_E) continue
      tokenStart = start - 1
    }
    if (digits === MAX_SAFE_DIGITS.length && text.slice(start, at) <= MAX_SAFE_DIGITS) continue
    if (!edits.escapeRunsBefore(tokenStart)) return undefined
    edits.quote(tokenStart, at)
  }
  return edits.escapeRunsBefore(length) ? edits.result() : undefined
}

/** The rewritten text as pieces: `text` up to `copied` with its edits, then the rest as it is. */
class Edits {
  private pieces: Array<string> | undefined
  private copied = 0
  /** The next run of `runs` to escape. */
  private run = 0

  constructor(private readonly text: string, private readonly runs: HighRuns | undefined) {}

  /** Escapes every run that starts before `end`, in order; false at a run after a backslash. */
  escapeRunsBefore(end: number): boolean {
    const runs = this.runs
    if (runs === undefined) return true
    for (; this.run < runs.starts.length && runs.starts[this.run]! < end; this.run++) {
      this.pieces ??= []
      if (!escapeRun(this.text, runs, this.run, this.copied, this.pieces)) return false
      this.copied = runs.ends[this.run]!
    }
    return true
  }

  /** Quotes the integer literal [`start`, `end`), after every run before it was escaped. */
  quote(start: number, end: number): void {
    const { text } = this
    const pieces = (this.pieces ??= [])
    pieces.push(text.slice(this.copied, start), '"', text.slice(start, end), '"')
    this.copied = end
  }

  /** The text with the edits; `text` itself when there were none. */
  result(): string {
    if (this.pieces === undefined) return this.text
    this.pieces.push(this.text.slice(this.copied))
    return this.pieces.join("")
  }
}

/**
 * Parses a JSON text like `JSON.parse`, except that integer literals beyond ±(2^53 − 1) become
 * decimal strings holding their exact digits (e.g. `7320768196569599275` → `"7320768196569599275"`).
 * Safe integers and all other numbers stay numbers. Throws {@link JsonSyntaxError} on malformed JSON.
 */
export const parseLosslessJson = (text: string): unknown => {
  const rewritten = quoteUnsafeIntegers(text)
  try {
    return JSON.parse(rewritten)
  } catch {
    // Quoting a valid number keeps the text equally invalid; locate the fault in the original
    // text, the one the caller holds (V8's messages name a position only for some faults).
    const position = jsonErrorPosition(text)
    const near = JSON.stringify(text.slice(position, position + 20))
    throw new JsonSyntaxError(
      position >= text.length
        ? `malformed JSON: unexpected end of input at position ${position}`
        : `malformed JSON at position ${position}, near ${near}`,
      position
    )
  }
}

/** Runs of bytes ≥ 0x80 in a body: `[starts[i], ends[i])`, in order, each between ASCII bytes or the ends. */
interface HighRuns {
  readonly bytes: Buffer
  readonly starts: Array<number>
  readonly ends: Array<number>
}

const HIGH_BITS = 0x80808080

/** The body's runs of non-ASCII bytes, skipping ASCII a 32-bit word at a time once aligned. */
const highRunsOf = (bytes: Buffer): HighRuns => {
  const starts: Array<number> = []
  const ends: Array<number> = []
  const length = bytes.length
  // Bytes before `head` are read one by one: a Uint32Array view must start 4-aligned.
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3)
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (length - head) >> 2)
  let at = 0
  while (at < length) {
    if (bytes[at]! < 0x80) {
      at++
      if (at >= head && ((at - head) & 3) === 0) {
        let word = (at - head) >> 2
        while (word < words.length && (words[word]! & HIGH_BITS) === 0) word++
        at = head + word * 4
      }
      continue
    }
    starts.push(at)
    do at++
    while (at < length && bytes[at]! >= 0x80)
    ends.push(at)
  }
  return { bytes, starts, ends }
}

const HEX = "0123456789abcdef"

/**
 * Appends the text before run `run` and the run's UTF-8 decoding as `\uXXXX` escapes to `pieces`;
 * false when a backslash precedes the run (`\é` is an invalid escape, `\\u00e9` would be valid).
 * A run is decoded alone: it is bounded by ASCII bytes, which end any UTF-8 sequence, so it decodes
 * (U+FFFD for what is malformed) exactly as within the whole body.
 */
const escapeRun = (text: string, runs: HighRuns, run: number, copied: number, pieces: Array<string>): boolean => {
  const start = runs.starts[run]!
  if (text.charCodeAt(start - 1) === BACKSLASH) return false
  const decoded = runs.bytes.toString("utf8", start, runs.ends[run])
  let escaped = ""
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i)
    escaped += "\\u" + HEX[c >> 12] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15]
  }
  pieces.push(text.slice(copied, start), escaped)
  return true
}

/**
 * Bodies over this go through the text: the escaped copy is built of pieces, two a run of non-ASCII
 * bytes (tens of bytes of heap per body byte when runs are short, where the text takes two), and
 * can pass V8's string length limit (2^29 − 24) where the text does not (`\u00e9` for 2 bytes): a
 * 180 MB body ran the heap out (4 GB) before either. A page of 100 videos is well under 1 MiB.
 */
const BYTES_PATH_MAX = 4 * 1024 * 1024

/**
 * {@link parseLosslessJson} of `bytes` decoded as UTF-8, without decoding them to a two-byte text:
 * the bytes are read as Latin-1 (one char a byte, a one-byte string), each run of non-ASCII bytes
 * (text inside strings, in a valid body) becomes `\uXXXX` escapes of its UTF-8 decoding, and the
 * pure-ASCII result goes to `JSON.parse`, which parses a one-byte text faster (a body with one
 * emoji decodes to a two-byte text: ~0.5 µs per video less, decoding included). Whatever this
 * cannot vouch for (a parse failure, a run after a backslash, a body over `BYTES_PATH_MAX`) goes
 * through the text instead, so results and errors are those of `parseLosslessJson(bytes.toString("utf8"))`.
 */
export const parseLosslessJsonBytes = (bytes: Uint8Array): unknown => {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buffer.length <= BYTES_PATH_MAX) {
    try {
      const ascii = rewrite(buffer.toString("latin1"), highRunsOf(buffer))
      if (ascii !== undefined) return JSON.parse(ascii)
    } catch {
      // Reported from the text below, with its position there.
    }
  }
  return parseLosslessJson(buffer.toString("utf8"))
}
