import fc from "fast-check"
import { apiFixturePaths, readApiFixture } from "../../fixtures/api-fixtures.js"

/** Recorded API bodies (text), the seeds that mutations start from. */
export const fixtureTexts: ReadonlyArray<string> = [...apiFixturePaths("recorded"), ...apiFixturePaths("docs-examples")].map(
  readApiFixture
)

/** A JSON value with one nested position replaced by `replacement`. */
const replaceSomewhere = (value: unknown, path: ReadonlyArray<number>, replacement: unknown): unknown => {
  if (path.length === 0 || value === null || typeof value !== "object") return replacement
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as object)
  if (entries.length === 0) return replacement
  const [key, child] = entries[path[0] % entries.length]
  const next = replaceSomewhere(child, path.slice(1), replacement)
  if (Array.isArray(value)) return value.map((v, i) => (i === key ? next : v))
  return { ...(value as object), [key]: next }
}

/** Values of the wrong type for any field: every JSON kind and odd ones. */
export const smallWrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, -1, 1e308, -0, "", "NaN", [], {}, "9".repeat(400), 2 ** 64),
  fc.string({ unit: "binary", maxLength: 64 })
)

/** {@link smallWrongValue} or a string of megabytes. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  smallWrongValue,
  fc.integer({ min: 1, max: 3 }).map((mb) => "x".repeat(mb * 1024 * 1024))
)

/** Deeply nested arrays or objects, as text: far deeper than any real response. */
export const deepText: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 100, max: 200_000 }), fc.boolean()).map(([depth, objects]) =>
  objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`)

/** Response bodies that are wrong in every way: text- and value-level mutations of real bodies. */
export const badBodyText: fc.Arbitrary<string> = fc.oneof(
  // Truncated anywhere.
  fc.tuple(fc.constantFrom(...fixtureTexts), fc.double({ min: 0, max: 1, noNaN: true })).map(([t, at]) => t.slice(0, Math.floor(t.length * at))),
  // A character inserted, deleted or replaced.
  fc.tuple(fc.constantFrom(...fixtureTexts), fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 3 }), fc.nat({ max: 4 })).map(
    ([t, at, s, drop]) => t.slice(0, at % (t.length + 1)) + s + t.slice((at % (t.length + 1)) + drop)
  ),
  // Valid JSON with one field of the wrong type, at any depth.
  fc.tuple(fc.constantFrom(...fixtureTexts), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), wrongValue).map(([t, path, v]) => {
    try {
      return JSON.stringify(replaceSomewhere(JSON.parse(t), path, v))
    } catch {
      return t
    }
  }),
  // Any JSON, any text, huge strings, deep nesting, HTML from a gateway.
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? "null"),
  fc.string({ unit: "binary", maxLength: 200 }),
  wrongValue.map((v) => JSON.stringify({ data: { videos: [{ id: v }], cursor: v, has_more: v, search_id: v }, error: { code: v, message: v, log_id: v } })),
  deepText,
  fc.constant("<html><body><h1>504 Gateway Time-out</h1></body></html>")
)
