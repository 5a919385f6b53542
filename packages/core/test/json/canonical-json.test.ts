import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { canonicalJson } from "@tikflow/core/internal"

const shuffleKeys = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed))
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
    const rotated = entries.length === 0 ? entries : [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)]
    return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, shuffleKeys(v, seed)]))
  }
  return value
}

describe("canonicalJson", () => {
  test.prop([fc.jsonValue(), fc.nat()])("is the same whatever the key order, and parses back to an equal value", (value, seed) => {
    const text = canonicalJson(value)
    expect(canonicalJson(shuffleKeys(value, seed))).toBe(text)
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
  })

  test("drops undefined members and sorts keys", () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: "x" }] })).toBe('{"a":[{"c":"x"}],"b":1}')
  })
})
