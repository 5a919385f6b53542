import { ConfigError } from "../errors/config-error.js"
import { checkCondition, isQueryFieldName, isQueryOperation, queryFieldNames, queryOperations } from "./query-fields.js"
import type { QueryFieldName, QueryOperation } from "./query-fields.js"

/** One condition, exactly as the API takes it. */
export interface QueryCondition {
  readonly field_name: QueryFieldName
  readonly operation: QueryOperation
  readonly field_values: ReadonlyArray<string>
}

/**
 * The API's query: every `and` condition holds, at least one `or` condition holds (when there are
 * any), and no `not` condition holds. Absent lists are omitted, never empty.
 */
export interface VideoQuery {
  readonly and?: ReadonlyArray<QueryCondition>
  readonly or?: ReadonlyArray<QueryCondition>
  readonly not?: ReadonlyArray<QueryCondition>
}

export const queryParts = ["and", "or", "not"] as const
export type QueryPart = (typeof queryParts)[number]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A condition from untrusted JSON, checked; `where` names it in errors (e.g. `query.and[0]`). */
export const validateCondition = (raw: unknown, where: string): QueryCondition => {
  if (!isRecord(raw)) throw ConfigError.make(where, "a condition {field_name, operation, field_values}", raw)
  const { field_name: field, operation, field_values: values } = raw
  if (typeof field !== "string" || !isQueryFieldName(field)) {
    throw ConfigError.make(`${where}.field_name`, `one of ${queryFieldNames.join(", ")}`, field)
  }
  if (typeof operation !== "string" || !isQueryOperation(operation)) {
    throw ConfigError.make(`${where}.operation`, `one of ${queryOperations.join(", ")}`, operation)
  }
  if (!Array.isArray(values)) throw ConfigError.make(`${where}.field_values`, "a list of strings", values)
  checkCondition(field, operation, values as ReadonlyArray<string>, `${where}.field_values`)
  return { field_name: field, operation, field_values: [...(values as ReadonlyArray<string>)] }
}

/**
 * A query from untrusted JSON (a query file, a request body), checked field by field. Unknown keys
 * and empty lists are dropped; a query without any condition is refused.
 */
export const validateQuery = (raw: unknown, where = "query"): VideoQuery => {
  if (!isRecord(raw)) throw ConfigError.make(where, "an object with and/or/not lists", raw)
  const query: { -readonly [P in QueryPart]?: ReadonlyArray<QueryCondition> } = {}
  for (const part of queryParts) {
    const list = raw[part]
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) throw ConfigError.make(`${where}.${part}`, "a list of conditions", list)
    if (list.length > 0) query[part] = list.map((condition, i) => validateCondition(condition, `${where}.${part}[${i}]`))
  }
  if (query.and === undefined && query.or === undefined && query.not === undefined) {
    throw ConfigError.make(where, "at least one condition in and, or or not")
  }
  return query
}

/**
 * The canonical form of a query: no empty lists, and a single `or` condition moved to `and`
 * (any of one condition is that condition). Text round trips preserve this form.
 */
export const normalizeQuery = (query: VideoQuery): VideoQuery => {
  const and = [...(query.and ?? [])]
  let or = query.or ?? []
  if (or.length === 1) {
    and.push(or[0])
    or = []
  }
  const not = query.not ?? []
  return {
    ...(and.length > 0 ? { and } : {}),
    ...(or.length > 0 ? { or: [...or] } : {}),
    ...(not.length > 0 ? { not: [...not] } : {})
  }
}

/** The API's JSON for a query (the `query` member of a video query body). */
export const serializeQuery = (query: VideoQuery): string => JSON.stringify(query)
