/**
 * The video query: a typed builder, a text syntax, validation. Everything validates and throws a
 * `ConfigError` naming the field:
 *
 * ```ts
 * Query.all(Query.field("region_code").in(["US", "CA"]), Query.parse("keyword = cats"))
 * ```
 */
import { Query as builder } from "../query/query-builder.js"

export type { ComparableFieldConditions, FieldConditions } from "../query/query-builder.js"
export type { QueryCondition as Condition, VideoQuery } from "../query/video-query.js"
export type { ComparableField, QueryFieldName as FieldName, QueryOperation as Operation, VideoLength } from "../query/query-fields.js"

/** Conditions on one field: `Query.field("region_code").in(["US"])`, `.eq`, `.gte`, … */
export const field = builder.field
/** All of these conditions hold. */
export const and = builder.and
/** At least one of these conditions holds. */
export const or = builder.or
/** None of these conditions holds. */
export const not = builder.not
/** Every one of these queries holds (their lists merged). */
export const all = builder.all
/** A query from its three lists, validated. */
export const make = builder.make

export {
  formatQuery as format,
  parseQuery as parseEffect,
  parseQueryText as parse
} from "../query/query-text.js"
export { normalizeQuery as normalize, validateQuery as validate } from "../query/video-query.js"
export { comparableFields, queryFieldNames as fieldNames, queryOperations as operations, videoLengths } from "../query/query-fields.js"
export { isRegionCode, regionCodes } from "../query/region-codes.js"
export { VideoQuerySchema as Schema } from "../query/query-schema.js"
