/**
 * Lossless JSON for Research API bodies. The API sends ids as bare JSON numbers beyond 2^53
 * (`"id": 7320768196569599275`), which `JSON.parse` silently rounds. `parseLosslessJson` quotes
 * every integer literal that is not a safe integer before handing the text to the native parser,
 * so such ids arrive as decimal strings with their exact digits while everything else parses as
 * `JSON.parse` would.
 *
 * Why a rewrite pass rather than a hand-written parser: the native parser is an order of
 * magnitude faster than any JS one, and the rewrite only has to find long digit runs outside
 * strings (one regex scan that jumps over each string with `indexOf`).
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

// A quote opens a string to skip; a run of 16+ digits may be an unsafe integer (2^53 has 16 digits).
const INTERESTING = /"|\d{16,}/g
const MAX_SAFE_DIGITS = "9007199254740991"
const QUOTE = 34
const BACKSLASH = 92
const MINUS = 45
const DOT = 46
const LOWER_E = 101
const UPPER_E = 69
const PLUS = 43

/** Whether a run of decimal digits (no sign) exceeds Number.MAX_SAFE_INTEGER. */
const isUnsafeDigits = (digits: string): boolean =>
  digits.length > MAX_SAFE_DIGITS.length || (digits.length === MAX_SAFE_DIGITS.length && digits > MAX_SAFE_DIGITS)

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
 * text itself when there is none (the common case for bodies with string ids).
 */
export const quoteUnsafeIntegers = (text: string): string => {
  const pattern = new RegExp(INTERESTING.source, "g")
  let pieces: Array<string> | undefined
  let copied = 0
  let match: RegExpExecArray | null
  while ((match = pattern.exec(text)) !== null) {
    const start = match.index
    if (text.charCodeAt(start) === QUOTE) {
      const end = endOfString(text, start + 1)
      if (end === -1) break // unterminated: JSON.parse reports it
      pattern.lastIndex = end + 1
      continue
    }
    const digits = match[0]
    const end = start + digits.length
    const before = text.charCodeAt(start - 1)
    const after = text.charCodeAt(end)
    // Fraction digits, exponent digits and non-integers are left to JSON.parse (they are not ids).
    if (before === DOT || before === LOWER_E || before === UPPER_E || before === PLUS) continue
    if (after === DOT || after === LOWER_E || after === UPPER_E) continue
    let tokenStart = start
    if (before === MINUS) {
      const sign = text.charCodeAt(start - 2)
      if (sign === LOWER_E || sign === UPPER_E) continue
      tokenStart = start - 1
    }
    if (!isUnsafeDigits(digits)) continue
    pieces ??= []
    pieces.push(text.slice(copied, tokenStart), '"', text.slice(tokenStart, end), '"')
    copied = end
  }
  if (pieces === undefined) return text
  pieces.push(text.slice(copied))
  return pieces.join("")
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
