import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"

/**
 * Codecs for the scalar shapes the Research API sends, as they arrive after the lossless JSON
 * parser (unsafe integers already decimal strings) and as tikflow delivers them.
 */

const DECIMAL = /^-?\d+$/

/**
 * An id: a decimal string, or a JSON number that is a safe integer (the lossless parser has
 * already turned unsafe ones into strings). Decodes to the decimal string; encodes as that string.
 */
export const DecimalId = Schema.Union([
  Schema.String.check(Schema.isPattern(DECIMAL, { expected: "a decimal id" })),
  Schema.Number.check(Schema.makeFilter((n: number) => Number.isSafeInteger(n) || "expected a safe integer id"))
])
  .annotate({ expected: "id (decimal string or integer)" })
  .pipe(
    Schema.decodeTo(Schema.String, {
      decode: SchemaGetter.transform((id: string | number) => (typeof id === "number" ? String(id) : id)),
      encode: SchemaGetter.transform((id: string) => id)
    })
  )

const countOf = (wire: number | string): number => (typeof wire === "number" ? wire : wire.trim() === "" ? Number.NaN : Number(wire))

/** A wire value as a message shows it: numbers and numeric text bare (as the API sent them), other text quoted. */
const shown = (wire: number | string): string =>
  typeof wire === "number" || /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(wire) ? String(wire).trim() : JSON.stringify(wire)

/**
 * Why a wire count is refused, or undefined when it is one. Every sink stores counts and times as
 * int64 and records carry them as JS numbers, so a count is an integer a number holds exactly:
 * `1.5` would be truncated, `1e20` or 2^63 wrapped or rounded. Refusing them here — one rule for
 * the fast path and the schema — keeps every sink from storing a different wrong value.
 */
export const countProblem = (wire: number | string): string | undefined =>
  Number.isSafeInteger(countOf(wire)) ? undefined : `expected an integer in ±(2^53 - 1), got ${shown(wire)}`

/** A count or timestamp: a JSON number, or a numeric string, decoded to a safe integer. */
export const WireCount = Schema.Union([Schema.Number, Schema.String])
  .annotate({ expected: "number" })
  .check(Schema.makeFilter((wire: number | string) => countProblem(wire) ?? true))
  .pipe(
    Schema.decodeTo(Schema.Number, {
      // A blank string is not zero: NaN, refused by the check.
      decode: SchemaGetter.transform(countOf),
      encode: SchemaGetter.transform((n: number) => n)
    })
  )

/** A measure that may have a fraction (`video_duration`: 15.2 seconds): any finite number, or numeric text. */
export const WireNumber = Schema.Union([Schema.Number, Schema.String])
  .annotate({ expected: "number" })
  .check(Schema.makeFilter((wire: number | string) => Number.isFinite(countOf(wire)) || `expected a finite number, got ${shown(wire)}`))
  .pipe(
    Schema.decodeTo(Schema.Number, {
      decode: SchemaGetter.transform(countOf),
      encode: SchemaGetter.transform((n: number) => n)
    })
  )

/** Any JSON value, kept as its JSON text so flat sinks can store nested structures. */
export const WireJsonText = Schema.Unknown.pipe(
  Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.transform((value: unknown) => JSON.stringify(value)),
    encode: SchemaGetter.transform((text: string) => JSON.parse(text) as unknown)
  })
)

/**
 * A field the API may omit or send as null: decodes to `null` when absent, never to a zero or an
 * empty value (the API sends those explicitly; absent means withheld or unknown), so every decoded
 * record has every field of its interface.
 */
export const optionalOrNull = <S extends Schema.Top>(schema: S) =>
  // Null first: `WireJsonText` accepts any value, null included.
  Schema.Union([Schema.Null, schema]).pipe(Schema.withDecodingDefaultKey(Effect.succeed(null)))

/** A date as the API takes it: `YYYYMMDD`, a real calendar date. */
export const YyyyMmDd = Schema.String.check(
  Schema.makeFilter((text: string) => isYyyyMmDd(text) || `expected a date YYYYMMDD, got ${JSON.stringify(text)}`)
)

/** Whether `text` is a real calendar date written `YYYYMMDD`. */
export const isYyyyMmDd = (text: string): boolean => {
  if (!/^\d{8}$/.test(text)) return false
  const year = Number(text.slice(0, 4))
  const month = Number(text.slice(4, 6))
  const day = Number(text.slice(6, 8))
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** An opaque token the API may send as a string or a number (e.g. `search_id`): kept as text. */
export const WireToken = Schema.Union([Schema.String, Schema.Number])
  .annotate({ expected: "string" })
  .pipe(
    Schema.decodeTo(Schema.String, {
      decode: SchemaGetter.transform((token: string | number) => String(token)),
      encode: SchemaGetter.transform((token: string) => token)
    })
  )
