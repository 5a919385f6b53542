import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { setInt64 } from "../src/schema/int64-words.js"

// Whole doubles within int64's range: safe integers (what an int64 column takes), and larger ones (setInt64 is exact for them too).
const whole = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(Number).filter((n) => n < 2 ** 63),
  fc.constantFrom(0, -0, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 31), -(2 ** 63), 2 ** 62)
)

describe("setInt64", () => {
  test.prop([fc.array(whole, { maxLength: 20 })])("stores each number as the int64 BigInt64Array holds for it", (values) => {
    const words = new Int32Array(2 * values.length).fill(-1)
    values.forEach((value, row) => setInt64(words, row, value))
    expect([...new BigInt64Array(words.buffer)]).toEqual(values.map((value) => BigInt(value)))
  })
})
