import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Query } from "../../src/query/query-builder.js"
import { normalizeQuery, serializeQuery, validateQuery } from "../../src/query/video-query.js"
import type { VideoQuery } from "../../src/query/video-query.js"
import { videoQuery } from "./arbitraries.js"
import { readApiFixture } from "../../../../test/fixtures/api-fixtures.js"
import { refusal } from "../support/config-refusal.js"


describe("Query builder", () => {
  it("builds the documentation's example query", () => {
    const query = Query.all(
      Query.and(Query.field("region_code").in(["JP", "US"]), Query.field("hashtag_name").eq("animal")),
      Query.not(Query.field("video_length").eq("SHORT"))
    )
    const example = JSON.parse(readApiFixture("docs-examples/example_query.json")) as unknown
    expect(query).toEqual(example)
    expect(validateQuery(example)).toEqual(query)
  })

  it("offers comparisons only on dates and ids (checked by the type system too)", () => {
    expect(Query.field("create_date").gte("20240101")).toEqual({ field_name: "create_date", operation: "GTE", field_values: ["20240101"] })
    expect(Query.field("video_id").lt("7320768196569599275").operation).toBe("LT")
    // @ts-expect-error region_code has no gt
    expect(() => Query.field("region_code").gt("US")).toThrow()
    // @ts-expect-error video_length takes SHORT|MID|LONG|EXTRA_LONG
    expect(() => Query.field("video_length").eq("TINY")).toThrow('video_length: expected SHORT|MID|LONG|EXTRA_LONG, got "TINY"')
  })

  it("refuses bad values, naming the field", () => {
    expect(refusal(() => Query.field("region_code").in([])).message).toBe("region_code: expected at least one value for region_code IN")
    expect(refusal(() => Query.field("region_code").eq("us")).message).toBe(
      'region_code: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US), got "us" (did you mean US?)'
    )
    // A well-formed code the API does not know matches nothing there: refused before any request.
    expect(refusal(() => Query.field("region_code").in(["US", "XX"])).message).toBe(
      'region_code: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US), got "XX"'
    )
    expect(refusal(() => Query.make({ and: [{ field_name: "region_code", operation: "EQ", field_values: ["UK"] }] })).message).toBe(
      'query.and[0].field_values: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US) for region_code, got "UK" (did you mean GB?)'
    )
    expect(refusal(() => Query.field("create_date").eq("20230229")).field).toBe("create_date")
    expect(refusal(() => Query.field("music_id").eq("12a")).message).toBe('music_id: expected a numeric id, got "12a"')
    expect(refusal(() => Query.and()).message).toBe("query: expected at least one condition in and, or or not")
  })

  it("combines queries, refusing a second OR group", () => {
    const us = Query.field("region_code").eq("US")
    const cats = Query.field("hashtag_name").eq("cats")
    const dogs = Query.field("hashtag_name").eq("dogs")
    expect(Query.all(Query.and(us), Query.or(cats, dogs), Query.not(Query.field("keyword").eq("x")))).toEqual({
      and: [us],
      or: [cats, dogs],
      not: [Query.field("keyword").eq("x")]
    })
    expect(refusal(() => Query.all(Query.or(us, cats), Query.or(cats, dogs))).message).toMatch(/one OR group/)
  })

  it("round-trips: build → serialize (API JSON) → validate gives the same query", () => {
    fc.assert(
      fc.property(videoQuery, (query) => {
        const built = Query.make(query)
        expect(validateQuery(JSON.parse(serializeQuery(built)))).toEqual(query)
        expect(normalizeQuery(normalizeQuery(built))).toEqual(normalizeQuery(built))
      })
    )
  })
})

describe("validateQuery", () => {
  it("names the path of what is wrong in a query file", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [[], "query: expected an object with and/or/not lists, got []"],
      [{ and: {} }, "query.and: expected a list of conditions, got {}"],
      [{ and: [{ field_name: "color", operation: "EQ", field_values: ["x"] }] }, 'query.and[0].field_name: expected one of id, video_id, video_description, create_date, username, region_code, hashtag_name, keyword, music_id, effect_id, video_length, got "color"'],
      [{ or: [{ field_name: "keyword", operation: "NE", field_values: ["x"] }] }, 'query.or[0].operation: expected one of EQ, IN, GT, GTE, LT, LTE, got "NE"'],
      [{ not: [{ field_name: "keyword", operation: "EQ", field_values: "x" }] }, 'query.not[0].field_values: expected a list of strings, got "x"'],
      [{ not: [{ field_name: "keyword", operation: "EQ", field_values: ["x", "y"] }] }, 'query.not[0].field_values: expected exactly one value for keyword EQ, got ["x","y"]'],
      [{ and: [{ field_name: "create_date", operation: "GT", field_values: [20240101] }] }, "query.and[0].field_values: expected a date YYYYMMDD as a string for create_date, got 20240101"],
      [{ and: [], or: [] }, "query: expected at least one condition in and, or or not"]
    ]
    for (const [raw, message] of cases) expect(refusal(() => validateQuery(raw)).message).toBe(message)
  })

  it("drops unknown keys and empty lists", () => {
    const query: VideoQuery = validateQuery({ and: [{ field_name: "keyword", operation: "EQ", field_values: ["x"], extra: 1 }], or: [], comment: "hi" })
    expect(query).toEqual({ and: [{ field_name: "keyword", operation: "EQ", field_values: ["x"] }] })
  })
})
