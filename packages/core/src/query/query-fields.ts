import { ConfigError } from "../errors/config-error.js"
import { isYyyyMmDd } from "../schema/wire-values.js"
import { didYouMean } from "./query-lexer.js"
import { isRegionCode, suggestRegionCode } from "./region-codes.js"

/** The `field_name`s the video query accepts (`id` and `video_id` name the same thing). */
export const queryFieldNames = [
  "id", "video_id", "video_description", "create_date", "username", "region_code", "hashtag_name",
  "keyword", "music_id", "effect_id", "video_length"
] as const
export type QueryFieldName = (typeof queryFieldNames)[number]

export const queryOperations = ["EQ", "IN", "GT", "GTE", "LT", "LTE"] as const
export type QueryOperation = (typeof queryOperations)[number]

export const videoLengths = ["SHORT", "MID", "LONG", "EXTRA_LONG"] as const
export type VideoLength = (typeof videoLengths)[number]

/** Fields that can be compared with GT/GTE/LT/LTE: dates and the numeric ids. */
export const comparableFields = ["create_date", "id", "video_id", "music_id", "effect_id"] as const
export type ComparableField = (typeof comparableFields)[number]

/** The value type each field takes. */
export interface QueryFieldValues {
  readonly id: string
  readonly video_id: string
  readonly video_description: string
  readonly create_date: string
  readonly username: string
  readonly region_code: string
  readonly hashtag_name: string
  readonly keyword: string
  readonly music_id: string
  readonly effect_id: string
  readonly video_length: VideoLength
}

interface FieldRule {
  /** What a value must be, in words, for error messages. */
  readonly expected: string
  readonly accepts: (value: string) => boolean
  /** The value the user likely meant by a refused one, for a did-you-mean. */
  readonly suggest?: (value: string) => string | undefined
}

const DECIMAL_ID = /^\d{1,20}$/
const id: FieldRule = { expected: "a numeric id", accepts: (value) => DECIMAL_ID.test(value) }
const text: FieldRule = { expected: "a non-empty text", accepts: (value) => value.trim() !== "" }

const fieldRules: { readonly [F in QueryFieldName]: FieldRule } = {
  id,
  video_id: id,
  music_id: id,
  effect_id: id,
  create_date: { expected: "a date YYYYMMDD", accepts: isYyyyMmDd },
  region_code: {
    expected: "a region code the API accepts (ISO 3166-1 alpha-2, upper case, e.g. US)",
    accepts: isRegionCode,
    suggest: suggestRegionCode
  },
  video_length: { expected: videoLengths.join("|"), accepts: (value) => (videoLengths as ReadonlyArray<string>).includes(value) },
  username: { expected: "a username", accepts: (value) => /^[^\s@]\S*$/.test(value) },
  video_description: text,
  hashtag_name: { expected: "a hashtag name (without #)", accepts: (value) => value.trim() !== "" && !value.startsWith("#") },
  keyword: text
}

export const isQueryFieldName = (name: string): name is QueryFieldName =>
  (queryFieldNames as ReadonlyArray<string>).includes(name)

export const isQueryOperation = (name: string): name is QueryOperation =>
  (queryOperations as ReadonlyArray<string>).includes(name)

export const isComparableField = (name: QueryFieldName): name is ComparableField =>
  (comparableFields as ReadonlyArray<string>).includes(name)

/** What `field` accepts as a value, in words. */
export const expectedValueOf = (field: QueryFieldName): string => fieldRules[field].expected

/** What is wrong with a condition, in words, or undefined when nothing is. */
export const conditionProblem = (
  field: QueryFieldName,
  operation: QueryOperation,
  values: ReadonlyArray<unknown>
): { readonly expected: string; readonly got?: unknown; readonly suggestion?: string } | undefined => {
  if (operation !== "EQ" && operation !== "IN" && !isComparableField(field)) {
    return { expected: `EQ or IN for ${field} (${operation} compares only create_date and ids)`, got: operation }
  }
  if (operation === "IN" && values.length === 0) return { expected: `at least one value for ${field} IN` }
  if (operation !== "IN" && values.length !== 1) return { expected: `exactly one value for ${field} ${operation}`, got: values }
  const rule = fieldRules[field]
  for (const value of values) {
    if (typeof value !== "string") return { expected: `${rule.expected} as a string for ${field}`, got: value }
    if (!rule.accepts(value)) {
      const suggestion = rule.suggest?.(value)
      return { expected: `${rule.expected} for ${field}`, got: value, ...(suggestion === undefined ? {} : { suggestion }) }
    }
  }
  return undefined
}

/**
 * Checks one condition's operation and values, throwing a `ConfigError` whose `field` is `where`
 * (e.g. `query.and[1].field_values` or `region_code`).
 */
export const checkCondition = (
  field: QueryFieldName,
  operation: QueryOperation,
  values: ReadonlyArray<unknown>,
  where: string
): void => {
  const problem = conditionProblem(field, operation, values)
  if (problem === undefined) return
  // "region_code: expected … for region_code" says the field twice.
  const expected = where === field ? problem.expected.replace(new RegExp(` for ${field}$`), "") : problem.expected
  const error = ConfigError.make(where, expected, problem.got)
  if (problem.suggestion === undefined) throw error
  throw new ConfigError({ field: where, expected, message: error.message + didYouMean(problem.suggestion) })
}
