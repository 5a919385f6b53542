import { Effect } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ConfigError } from "../../src/errors/config-error.js"
import { formatQuery, parseQuery, parseQueryText } from "../../src/query/query-text.js"
import { normalizeQuery } from "../../src/query/video-query.js"
import { videoQuery } from "./arbitraries.js"

const errorOf = (text: string): ConfigError => {
  try {
    parseQueryText(text)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`)
}

const EQ = (field_name: string, ...field_values: Array<string>) => ({ field_name, operation: "EQ", field_values })

describe("parseQueryText", () => {
  it("reads the CLI example into the API's flat form", () => {
    expect(parseQueryText("region_code IN (US, CA) AND hashtag_name = cats AND NOT keyword = dog")).toEqual({
      and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "CA"] }, EQ("hashtag_name", "cats")],
      not: [EQ("keyword", "dog")]
    })
  })

  it("reads OR groups, NOT of an OR group, quoted values, comparisons and keywords in any case", () => {
    expect(parseQueryText("region_code = US or region_code = CA")).toEqual({ or: [EQ("region_code", "US"), EQ("region_code", "CA")] })
    expect(
      parseQueryText(
        'keyword = "hello world" and create_date >= 20240101 AND create_date LT 20240201 and (hashtag_name = cats OR hashtag_name = "dogs \\"&\\" co") AND NOT (username = a OR username = b)'
      )
    ).toEqual({
      and: [
        EQ("keyword", "hello world"),
        { field_name: "create_date", operation: "GTE", field_values: ["20240101"] },
        { field_name: "create_date", operation: "LT", field_values: ["20240201"] }
      ],
      or: [EQ("hashtag_name", "cats"), EQ("hashtag_name", 'dogs "&" co')],
      not: [EQ("username", "a"), EQ("username", "b")]
    })
    expect(parseQueryText("video_length == SHORT AND video_id = 7320768196569599275")).toEqual({
      and: [EQ("video_length", "SHORT"), EQ("video_id", "7320768196569599275")]
    })
    expect(parseQueryText("((region_code = US))")).toEqual({ and: [EQ("region_code", "US")] })
    expect(parseQueryText("NOT NOT region_code = US")).toEqual({ and: [EQ("region_code", "US")] })
  })

  it("refuses what the flat form cannot express, saying where", () => {
    expect(errorOf("region_code = US AND (hashtag_name = a OR keyword = b) OR keyword = c").message).toBe(
      "query: expected only conditions inside an OR group (the API's form: all of AND, any of one OR group, none of NOT) at position 0, got an AND group as one side of an OR"
    )
    expect(errorOf("keyword = a AND NOT (keyword = b AND keyword = c)").message).toBe(
      "query: expected NOT of a condition or of an OR group (the API's form: all of AND, any of one OR group, none of NOT) at position 16, got NOT of an AND"
    )
    expect(errorOf("(keyword = a OR keyword = b) AND (keyword = c OR keyword = d)").message).toMatch(
      /^query: expected a single OR group .* at position 34, got a second OR group$/
    )
    expect(errorOf("keyword = a OR NOT keyword = b").message).toMatch(/at position 15, got a NOT as one side of an OR$/)
    expect(errorOf("NOT (keyword = a OR (keyword = b AND keyword = c))").message).toMatch(/got an AND group as one side of an OR$/)
  })

  it("refuses unknown fields, bad operators and bad values with one clear line", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["colour = red", `query: expected a field name (one of id, video_id, video_description, create_date, username, region_code, hashtag_name, keyword, music_id, effect_id, video_length) at position 0, got "colour"`],
      ["region_code ~ US", `query: expected an operator after region_code (=, IN, >, >=, <, <=) at position 12, got "~"`],
      ["region_code = usa", `query: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US) for region_code at position 14, got "usa" (did you mean US?)`],
      ["region_code IN (US, ca)", `query: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US) for region_code at position 20, got "ca" (did you mean CA?)`],
      ["region_code IN (XX)", `query: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US) for region_code at position 16, got "XX"`],
      ["region_code IN (US, UK)", `query: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US) for region_code at position 20, got "UK" (did you mean GB?)`],
      ["region_code = GBR", `query: expected a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US) for region_code at position 14, got "GBR" (did you mean GB?)`],
      ["region_code IN ()", `query: expected a value for region_code (quote values that are keywords) at position 16, got ")"`],
      ["region_code IN US", `query: expected "(" after IN, as in region_code IN (a, b) at position 15, got "US"`],
      ["region_code IN (US CA)", `query: expected "," or ")" in the IN list at position 19, got "CA"`],
      ["create_date = 20240230", `query: expected a date YYYYMMDD for create_date at position 14, got "20240230"`],
      ["create_date > 2024-01-01", `query: expected a date YYYYMMDD for create_date at position 14, got "2024-01-01"`],
      ["hashtag_name > cats", `query: expected EQ or IN for hashtag_name (GT compares only create_date and ids) at position 13, got "GT"`],
      ["video_length = TINY", `query: expected SHORT|MID|LONG|EXTRA_LONG for video_length at position 15, got "TINY"`],
      ["music_id = abc", `query: expected a numeric id for music_id at position 11, got "abc"`],
      ["keyword = and", `query: expected a value for keyword (quote values that are keywords) at position 10, got "and"`],
      ['keyword = "open', `query: expected a closing " at position 10, got the end of the text`],
      ['keyword = "a\\n"', `query: expected \\" or \\\\ after a backslash at position 12, got "\\\\n"`],
      ["region_code = US AND", "query: expected a condition such as region_code = US at position 20, got the end of the text"],
      ["region_code = US keyword = a", `query: expected AND, OR or the end of the query at position 17, got "keyword"`],
      ["(region_code = US", `query: expected a closing ")" at position 17, got the end of the text`],
      ["", "query: expected a condition such as region_code = US at position 0, got the end of the text"],
      ["region_code != US", `query: expected an operator after region_code (=, IN, >, >=, <, <=) at position 12, got "!="`],
      ["region_code = US AND ! keyword = a", `query: expected a field name (one of id, video_id, video_description, create_date, username, region_code, hashtag_name, keyword, music_id, effect_id, video_length) at position 21, got "!"`]
    ]
    for (const [text, message] of cases) {
      const error = errorOf(text)
      expect(error.message).toBe(message)
      expect(error.field).toBe("query")
      expect(error.message).not.toContain("\n")
    }
  })

  it("has an Effect form failing with the ConfigError", async () => {
    expect(await Effect.runPromise(parseQuery("keyword = cats"))).toEqual({ and: [EQ("keyword", "cats")] })
    const error = await Effect.runPromise(Effect.flip(parseQuery("keyword cats")))
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.message).toBe(`query: expected an operator after keyword (=, IN, >, >=, <, <=) at position 8, got "cats"`)
  })

  it("round-trips: any valid query → formatQuery → parseQueryText gives its normal form", () => {
    fc.assert(
      fc.property(videoQuery, (query) => {
        expect(parseQueryText(formatQuery(query))).toEqual(normalizeQuery(query))
      }),
      { numRuns: 300 }
    )
  })

  it("formats the normal form stably", () => {
    fc.assert(
      fc.property(videoQuery, (query) => {
        const text = formatQuery(query)
        expect(formatQuery(parseQueryText(text))).toBe(text)
      })
    )
  })
})
