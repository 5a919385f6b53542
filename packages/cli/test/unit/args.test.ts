import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { FIRST_API_DAY } from "@tikflow/core/api-days"
import { videoQuery } from "@tikflow/sources/internal"
import { parseDate, parseDateRange } from "../../src/args/dates.js"
import { parseFaultRates } from "../../src/args/fault-rates.js"
import { parseList } from "../../src/args/lists.js"
import { CliError } from "../../src/cli-error.js"

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/** Any clock: the calendar-date property does not depend on it. */
const anyDay = new Date("2031-01-01T12:00:00Z")

describe("dates", () => {
  test.prop([fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })])(
    "parseDate accepts exactly the real calendar dates",
    (year, month, day) => {
      const text = `${year}-${pad(month, 2)}-${pad(day, 2)}`
      const real = month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
      if (!real) expect(() => parseDate("--from", text, anyDay)).toThrow(/--from: .* is not a real date/)
      else if (text < FIRST_API_DAY) {
        expect(() => parseDate("--from", text, anyDay)).toThrow(`--from: ${text} is before the Research API's data starts; expected a date on or after 2014-01-01`)
      } else expect(parseDate("--from", text, anyDay)).toBe(text)
    }
  )

  test.prop([fc.date({ min: new Date("2014-06-01"), max: new Date("2035-12-31"), noInvalidDate: true }), fc.integer({ min: 0, max: 150 })])(
    "today, yesterday and -Nd are the UTC days that many days before the clock's day, whatever its time of day",
    (now, n) => {
      const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)
      const midnight = Math.floor(now.getTime() / 86_400_000) * 86_400_000
      expect(parseDate("--to", "today", now)).toBe(dayOf(now.getTime()))
      expect(parseDate("--to", "yesterday", now)).toBe(dayOf(midnight - 1))
      expect(parseDate("--from", `-${n}d`, now)).toBe(dayOf(midnight - n * 86_400_000))
    }
  )

  it("a relative day is checked like a date: not before the API's data, not after --to, not in the future", () => {
    const now = new Date("2024-03-10T23:59:59Z")
    expect(parseDateRange("-6d", "today", now)).toEqual({ from: "2024-03-04", to: "2024-03-10" })
    expect(parseDateRange("2024-01-01", "yesterday", now)).toEqual({ from: "2024-01-01", to: "2024-03-09" })
    expect(() => parseDateRange("today", "-1d", now)).toThrow("--from: 2024-03-10 is after --to 2024-03-09; expected --from ≤ --to")
    expect(() => parseDateRange("-4000d", "today", now)).toThrow("--from: -4000d (2013-03-28) is before the Research API's data starts; expected a date on or after 2014-01-01")
    for (const bad of ["tomorrow", "Today", "-7", "7d", "+3d", "-d", "-1w"]) {
      expect(() => parseDateRange(bad, "today", now)).toThrow(`--from: expected a date YYYY-MM-DD, today, yesterday or -Nd (N days before today), got ${JSON.stringify(bad)}`)
    }
  })

  it("the CLI and the sources refuse the same days: one FIRST_API_DAY", () => {
    const query = { and: [{ field_name: "keyword" as const, operation: "EQ" as const, field_values: ["cats"] }] }
    const now = new Date("2024-03-10T12:00:00Z")
    const dayBefore = new Date(Date.parse(FIRST_API_DAY) - 86_400_000).toISOString().slice(0, 10)
    expect(() => parseDate("--from", dayBefore, now)).toThrow(/before the Research API's data starts/)
    expect(() => videoQuery({ query, startDate: dayBefore, endDate: FIRST_API_DAY })).toThrow(`on or after ${FIRST_API_DAY}`)
    expect(parseDate("--from", FIRST_API_DAY, now)).toBe(FIRST_API_DAY)
    expect(videoQuery({ query, startDate: FIRST_API_DAY, endDate: FIRST_API_DAY }).kind).toBe("video")
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
    expect(() => parseDateRange("2024-01-01", "20240102", new Date())).toThrow('--to: expected a date YYYY-MM-DD, today, yesterday or -Nd (N days before today), got "20240102"')
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
