import * as Schema from "effect/Schema"
import { assertTrue } from "../schema/type-equality.js"
import type { Equals } from "../schema/type-equality.js"
import { conditionProblem, queryFieldNames, queryOperations } from "./query-fields.js"
import type { QueryCondition, VideoQuery } from "./video-query.js"

/** A query condition as effect/Schema, with the same per-field checks as the builder. */
export const QueryConditionSchema = Schema.Struct({
  field_name: Schema.Literals(queryFieldNames),
  operation: Schema.Literals(queryOperations),
  field_values: Schema.Array(Schema.String)
}).check(
  Schema.makeFilter((condition) => {
    const problem = conditionProblem(condition.field_name, condition.operation, condition.field_values)
    if (problem === undefined) return true
    const got = problem.got === undefined ? "" : `, got ${JSON.stringify(problem.got)}`
    return { path: ["field_values"], issue: `expected ${problem.expected}${got}` }
  })
)

const conditions = Schema.optionalKey(Schema.Array(QueryConditionSchema))

/** The API's query object (`and`/`or`/`not` lists of conditions), at least one condition. */
export const VideoQuerySchema = Schema.Struct({ and: conditions, or: conditions, not: conditions }).check(
  Schema.makeFilter(
    (query) =>
      (query.and?.length ?? 0) + (query.or?.length ?? 0) + (query.not?.length ?? 0) > 0 ||
      "expected at least one condition in and, or or not"
  )
)

assertTrue<Equals<typeof QueryConditionSchema.Type, QueryCondition>>()
assertTrue<Equals<typeof VideoQuerySchema.Type, VideoQuery>>()
