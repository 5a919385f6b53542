import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { FIRST_API_DAY as SOURCES_FIRST_API_DAY } from "@tikflow/sources"
import { FIRST_API_DAY, parseDate, parseDateRange } from "../../src/args/dates.js"
import { parseFaultRates } from "../../src/args/fault-rates.js"
import { parseList } from "../../src/args/lists.js"
import { CliError } from "../../src/cli-error.js"

const pad = (n: number, width: number) => String(n).padStart(width, "0")

describe("dates", () => {
  test.prop([fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })])(
    "parseDate accepts exactly the real calendar dates",
    (year, month, day) => {
      const text = `${year}-${pad(month, 2)}-${pad(day, 2)}`
      const real = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
      if (!real) expect(() => parseDate("--from", text)).toThrow(/--from: .* is not a real date/)
      else if (text < FIRST_API_DAY) {
        expect(() => parseDate("--from", text)).toThrow(`--from: ${text} is before the Research API's data starts; expected a date on or after 2014-01-01`)
      } else expect(parseDate("--from", text)).toBe(text)
    }
  )

  it("the first day of the API's data is the sources' own", () => {
    expect(FIRST_API_DAY).toBe(SOURCES_FIRST_API_DAY)
  })

  test.prop([fc.date({ min: new Date(FIRST_API_DAY), max: new Date("2030-12-31"), noInvalidDate: true }), fc.date({ min: new Date(FIRST_API_DAY), max: new Date("2030-12-31"), noInvalidDate: true })])(
    "a range is accepted iff from ≤ to ≤ today",
    (a, b) => {
      const today = new Date("2031-01-01")
      const from = a.toISOString().slice(0, 10)
      const to = b.toISOString().slice(0, 10)
      if (from <= to) expect(parseDateRange(from, to, today)).toEqual({ from, to })
      else expect(() => parseDateRange(from, to, today)).toThrow(CliError)
    }
  )

  it("names the option in every message", () => {
    expect(() => parseDateRange(undefined, "2024-01-01", new Date())).toThrow("--from: required")
    expect(() => parseDateRange("2024-01-01", "20240102", new Date())).toThrow('--to: expected a date YYYY-MM-DD, got "20240102"')
  })
})

describe("lists", () => {
  test.prop([fc.array(fc.array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 })])(
    "comma lists and repeated flags give the distinct items in first-seen order",
    (groups) => {
      const parsed = parseList("--username", groups.map((group) => group.join(",")))
      const expected = [...new Set(groups.flat())]
      expect(parsed).toEqual(expected)
    }
  )

  it("refuses empty items", () => {
    expect(() => parseList("--username", ["a,,b"])).toThrow(/--username: expected a comma-separated list without empty items/)
  })
})

describe("fault rates", () => {
  const kinds = ["serverError", "reset"]
  test.prop([fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true })])(
    "known kinds with rates in 0..1 summing to ≤ 1 are accepted as given",
    (a, b) => {
      expect(parseFaultRates("--faults", `serverError=${a},reset=${b}`, kinds)).toEqual({ serverError: a, reset: b })
    }
  )

  it("refuses rates out of range", () => {
    expect(() => parseFaultRates("--faults", "serverError=1.5", kinds)).toThrow(/serverError: expected a rate from 0 to 1/)
  })
})
