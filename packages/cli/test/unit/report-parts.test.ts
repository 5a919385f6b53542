import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { valueScale } from "../../src/report/axis-scale.js"
import { calendarDays } from "../../src/report/calendar-strip.js"
import { addDays, daysFrom, weekdayOf } from "../../src/report/days.js"
import { escapeHtml, html, join } from "../../src/report/html.js"

const unescape = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: "\"", "#39": "'" })[name]!)

describe("html", () => {
  test.prop([fc.string({ unit: "grapheme" })])("an interpolated text is markup-free and reads back whole", (text) => {
    const inner = html`<p title="${text}">${text}</p>`.text.slice("<p title=\"".length, -"</p>".length)
    const [attribute, content] = inner.split("\">")
    expect(`${attribute}${content}`).not.toMatch(/[<>"']/)
    expect(unescape(attribute!)).toBe(text)
    expect(unescape(content!)).toBe(text)
  })

  it("fragments nest without being escaped twice, arrays and missing values included", () => {
    const inner = html`<b>${"a&b"}</b>`
    expect(html`<p>${inner}${[inner, undefined, false, 3]}</p>`.text).toBe("<p><b>a&amp;b</b><b>a&amp;b</b>3</p>")
    expect(join([inner, "<i>"], ", ").text).toBe("<b>a&amp;b</b>, &lt;i&gt;")
    expect(escapeHtml(`<a href="x">'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&lt;/a&gt;")
  })
})

test.prop([fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 2, max: 8 })])(
  "a value axis reaches the largest value in equal integer steps, never more than 2.5× too tall",
  (largest, steps) => {
    const scale = valueScale(largest, steps)
    expect(scale.max).toBeGreaterThanOrEqual(largest)
    expect(scale.ticks).toHaveLength(steps + 1)
    expect(scale.ticks[0]).toBe(0)
    expect(scale.ticks.at(-1)).toBe(scale.max)
    const step = scale.ticks[1]!
    expect(Number.isInteger(step) && step > 0).toBe(true)
    expect(scale.ticks.every((tick, i) => tick === i * step)).toBe(true)
    if (largest >= steps) expect(scale.max).toBeLessThanOrEqual(largest * 2.5)
  }
)

const day = fc.integer({ min: 0, max: 20_000 }).map((n) => addDays("1990-01-01", n))

test.prop([day, fc.integer({ min: 0, max: 800 })])("daysFrom lists every day of a range once, in order, across months and leap years", (from, length) => {
  const days = daysFrom(from, addDays(from, length - 1))
  expect(days).toHaveLength(length)
  expect(days.every((d, i) => i === 0 || (d > days[i - 1]! && weekdayOf(d) === (weekdayOf(days[i - 1]!) + 1) % 7))).toBe(true)
  expect(new Set(days).size).toBe(length)
})

test.prop([day, fc.integer({ min: 1, max: 120 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 150 }), fc.boolean()))])(
  "the calendar's states: a recorded day is covered or provisional as recorded, any other day of the range is missing",
  (from, length, recorded) => {
    const covered = recorded.map(([offset, provisional]) => ({ day: addDays(from, offset), provisional, fetchedAt: undefined }))
    const byDay = new Map(covered.map((c) => [c.day, c]))
    const days = calendarDays(from, addDays(from, length - 1), covered)
    expect(days).toHaveLength(length)
    for (const entry of days) {
      const known = byDay.get(entry.day)
      expect(entry.state).toBe(known === undefined ? "missing" : known.provisional ? "provisional" : "covered")
    }
  }
)

it("weeks start on Monday", () => {
  expect(weekdayOf("2024-03-04")).toBe(0)
  expect(weekdayOf("2024-03-10")).toBe(6)
})
