/**
 * Thrown for a value a float64 column would coerce: a typed array takes `"abc"` as NaN, `""` as 0,
 * `true` as 1. Decoded records hold a number or null there; a record a user's source or transform
 * made may not. The caller names the column.
 */
export class NotANumber extends RangeError {
  constructor(readonly row: number, readonly value: unknown) {
    super(`expected a number, got ${shown(value)}`)
  }
}

/** Fails on the first value that is neither a number nor null (absent is null), before any row is taken. */
export const assertFloat64s = (values: ReadonlyArray<unknown>): void => {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v != null && typeof v !== "number") throw new NotANumber(i, v)
  }
}

const shown = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
    : typeof value === "bigint" ? `the bigint ${value}` : typeof value === "object" ? (Array.isArray(value) ? "an array" : "an object") : String(value)
