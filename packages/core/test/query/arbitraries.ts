import fc from "fast-check"
import type { QueryFieldName, QueryOperation } from "../../src/query/query-fields.js"
import { comparableFields, queryFieldNames, videoLengths } from "../../src/query/query-fields.js"
import { regionCodes } from "../../src/query/region-codes.js"
import type { QueryCondition, VideoQuery } from "../../src/query/video-query.js"

const id = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)
const date = fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2030, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", ""))
// Text that stresses the syntax: quotes, backslashes, parentheses, commas, operators, keywords.
const tricky = fc
  .oneof(
    fc.string({ unit: fc.constantFrom("a", "Z", "é", "🐱", " ", '"', "\\", "(", ")", ",", "=", "<", ">", "!", "#", "_", "1", "\t") }),
    fc.constantFrom("and", "OR", "not", "In", "gte", "cats", "hello world", "x\u0000y")
  )
  .filter((text) => text.trim() !== "")

const valueOf: { readonly [F in QueryFieldName]: fc.Arbitrary<string> } = {
  id,
  video_id: id,
  music_id: id,
  effect_id: id,
  create_date: date,
  region_code: fc.constantFrom(...regionCodes),
  video_length: fc.constantFrom(...videoLengths),
  username: fc.stringMatching(/^[a-z0-9_.]{1,12}$/),
  keyword: tricky,
  video_description: tricky,
  hashtag_name: tricky.filter((text) => !text.startsWith("#"))
}

export const condition: fc.Arbitrary<QueryCondition> = fc.constantFrom(...queryFieldNames).chain((field) => {
  const operations: ReadonlyArray<QueryOperation> = (comparableFields as ReadonlyArray<string>).includes(field)
    ? ["EQ", "IN", "GT", "GTE", "LT", "LTE"]
    : ["EQ", "IN"]
  return fc.constantFrom(...operations).chain((operation) =>
    (operation === "IN" ? fc.array(valueOf[field], { minLength: 1, maxLength: 4 }) : valueOf[field].map((v) => [v])).map(
      (values): QueryCondition => ({ field_name: field, operation, field_values: values })
    )
  )
})

const list = fc.option(fc.array(condition, { minLength: 1, maxLength: 4 }), { nil: undefined })

/** Any valid query (at least one condition), with lists absent rather than empty. */
export const videoQuery: fc.Arbitrary<VideoQuery> = fc
  .record({ and: list, or: list, not: list })
  .filter((q) => q.and !== undefined || q.or !== undefined || q.not !== undefined)
  .map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as VideoQuery)
