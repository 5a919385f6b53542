import { ConfigError } from "../errors/config-error.js"
import { checkCondition } from "./query-fields.js"
import type { ComparableField, QueryFieldName, QueryFieldValues, QueryOperation } from "./query-fields.js"
import { normalizeQuery, queryParts, validateQuery } from "./video-query.js"
import type { QueryCondition, VideoQuery } from "./video-query.js"

/** Builds the conditions of one field; the operations offered depend on the field. */
export interface FieldConditions<F extends QueryFieldName> {
  /** `field EQ value` */
  readonly eq: (value: QueryFieldValues[F]) => QueryCondition
  /** `field IN (values…)`: at least one value. */
  readonly in: (values: ReadonlyArray<QueryFieldValues[F]>) => QueryCondition
}

/** Dates and ids can also be compared. */
export interface ComparableFieldConditions<F extends ComparableField> extends FieldConditions<F> {
  readonly gt: (value: QueryFieldValues[F]) => QueryCondition
  readonly gte: (value: QueryFieldValues[F]) => QueryCondition
  readonly lt: (value: QueryFieldValues[F]) => QueryCondition
  readonly lte: (value: QueryFieldValues[F]) => QueryCondition
}

const condition = (field: QueryFieldName, operation: QueryOperation, values: ReadonlyArray<string>): QueryCondition => {
  checkCondition(field, operation, values, field)
  return { field_name: field, operation, field_values: [...values] }
}

const field = <F extends QueryFieldName>(
  name: F
): F extends ComparableField ? ComparableFieldConditions<F> : FieldConditions<F> => {
  const one = (operation: QueryOperation) => (value: string) => condition(name, operation, [value])
  return {
    eq: one("EQ"),
    in: (values: ReadonlyArray<string>) => condition(name, "IN", values),
    gt: one("GT"),
    gte: one("GTE"),
    lt: one("LT"),
    lte: one("LTE")
  } as unknown as F extends ComparableField ? ComparableFieldConditions<F> : FieldConditions<F>
}

/**
 * Combines queries into one: their conjunction. The API's flat form holds one `or` group, so at
 * most one of the queries may have an `or` list of two or more conditions.
 */
const all = (...queries: ReadonlyArray<VideoQuery>): VideoQuery => {
  const normalized = queries.map(normalizeQuery)
  const withOr = normalized.filter((query) => query.or !== undefined)
  if (withOr.length > 1) {
    throw new ConfigError({
      field: "query",
      expected: "at most one OR group",
      message: "query: the API's form holds one OR group (all of AND, any of OR, none of NOT); these queries have several"
    })
  }
  const merged = Object.fromEntries(
    queryParts
      .map((part) => [part, normalized.flatMap((query) => query[part] ?? [])] as const)
      .filter(([, list]) => list.length > 0)
  ) as VideoQuery
  return validateQuery(merged)
}

/**
 * The typed video query builder:
 * ```ts
 * Query.all(
 *   Query.and(Query.field("region_code").in(["US", "CA"]), Query.field("create_date").gte("20240101")),
 *   Query.not(Query.field("keyword").eq("dog"))
 * )
 * ```
 * Every step validates; bad input throws a `ConfigError` naming the field.
 */
export const Query = {
  field,
  /** All of these conditions hold. */
  and: (...conditions: ReadonlyArray<QueryCondition>): VideoQuery => validateQuery({ and: conditions }),
  /** At least one of these conditions holds. */
  or: (...conditions: ReadonlyArray<QueryCondition>): VideoQuery => validateQuery({ or: conditions }),
  /** None of these conditions holds. */
  not: (...conditions: ReadonlyArray<QueryCondition>): VideoQuery => validateQuery({ not: conditions }),
  all,
  /** A query from its three lists. */
  make: (parts: VideoQuery): VideoQuery => validateQuery(parts)
} as const
