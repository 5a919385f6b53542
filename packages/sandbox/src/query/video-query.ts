import { InvalidParams } from "../api/invalid-params.js"
import type { SyntheticVideo } from "../world/video.js"

export const queryFieldNames = [
  "id", "video_id", "create_date", "username", "region_code", "hashtag_name", "keyword", "music_id", "effect_id",
  "video_length"
] as const
export type QueryFieldName = (typeof queryFieldNames)[number]

export const queryOperations = ["EQ", "IN", "GT", "GTE", "LT", "LTE"] as const
export type QueryOperation = (typeof queryOperations)[number]

export interface QueryCondition {
  readonly field_name: QueryFieldName
  readonly operation: QueryOperation
  readonly field_values: ReadonlyArray<string>
}

/** The video query's boolean form: all of `and`, at least one of `or` (when given), none of `not`. */
export interface VideoQuery {
  readonly and?: ReadonlyArray<QueryCondition>
  readonly or?: ReadonlyArray<QueryCondition>
  readonly not?: ReadonlyArray<QueryCondition>
}

const videoLengths = new Set(["SHORT", "MID", "LONG", "EXTRA_LONG"])

const fail = (message: string): never => {
  throw new InvalidParams(message)
}

const parseCondition = (raw: unknown, path: string): QueryCondition => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`${path}: expected an object with field_name, operation, field_values`)
  const c = raw as Record<string, unknown>
  const field = c.field_name
  if (typeof field !== "string" || !(queryFieldNames as ReadonlyArray<string>).includes(field)) {
    fail(`${path}.field_name: expected one of ${queryFieldNames.join(", ")}, got ${JSON.stringify(field)}`)
  }
  const operation = c.operation
  if (typeof operation !== "string" || !(queryOperations as ReadonlyArray<string>).includes(operation)) {
    fail(`${path}.operation: expected one of ${queryOperations.join(", ")}, got ${JSON.stringify(operation)}`)
  }
  const values = c.field_values
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== "string")) {
    fail(`${path}.field_values: expected a non-empty list of strings`)
  }
  const list = values as ReadonlyArray<string>
  if (operation !== "IN" && list.length !== 1) fail(`${path}.field_values: operation ${operation} takes exactly one value, got ${list.length}`)
  if (operation !== "EQ" && operation !== "IN" && field !== "create_date") {
    fail(`${path}.operation: ${operation} applies only to create_date, not ${field}`)
  }
  if (field === "create_date" && list.some((v) => !/^\d{8}$/.test(v))) fail(`${path}.field_values: create_date takes YYYYMMDD dates`)
  if (field === "video_length" && list.some((v) => !videoLengths.has(v))) {
    fail(`${path}.field_values: video_length takes SHORT, MID, LONG or EXTRA_LONG`)
  }
  return { field_name: field as QueryFieldName, operation: operation as QueryOperation, field_values: list }
}

/** Validates the `query` member of a video query request. */
export const parseVideoQuery = (raw: unknown): VideoQuery => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("query: expected an object with and/or/not lists")
  const q = raw as Record<string, unknown>
  const out: { and?: Array<QueryCondition>; or?: Array<QueryCondition>; not?: Array<QueryCondition> } = {}
  let conditions = 0
  for (const key of Object.keys(q)) {
    if (key !== "and" && key !== "or" && key !== "not") fail(`query.${key}: unknown operator (expected and, or, not)`)
  }
  for (const key of ["and", "or", "not"] as const) {
    const list = q[key]
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) fail(`query.${key}: expected a list of conditions`)
    out[key] = (list as ReadonlyArray<unknown>).map((c, i) => parseCondition(c, `query.${key}[${i}]`))
    conditions += out[key]!.length
  }
  if (conditions === 0) fail("query: expected at least one condition in and, or, not")
  return out
}

type Predicate = (video: SyntheticVideo) => boolean

const compileCondition = (c: QueryCondition): Predicate => {
  const values = c.field_values
  switch (c.field_name) {
    case "id":
    case "video_id": {
      const set = new Set(values)
      return (v) => set.has(v.id)
    }
    case "username": {
      const set = new Set(values)
      return (v) => set.has(v.username)
    }
    case "region_code": {
      const set = new Set(values.map((x) => x.toUpperCase()))
      return (v) => set.has(v.regionCode)
    }
    case "hashtag_name": {
      const set = new Set(values.map((x) => x.toLowerCase()))
      return (v) => v.hashtags.some((h) => set.has(h))
    }
    case "keyword": {
      const words = values.map((x) => x.toLowerCase())
      return (v) => {
        const text = v.description.toLowerCase()
        return words.some((w) => text.includes(w))
      }
    }
    case "music_id": {
      const set = new Set(values)
      return (v) => set.has(v.musicId)
    }
    case "effect_id": {
      const set = new Set(values)
      return (v) => v.effectIds.some((e) => set.has(e))
    }
    case "video_length": {
      const set = new Set(values)
      return (v) => set.has(v.videoLength)
    }
    case "create_date": {
      const d = values[0]
      switch (c.operation) {
        case "GT": return (v) => v.createDate > d
        case "GTE": return (v) => v.createDate >= d
        case "LT": return (v) => v.createDate < d
        case "LTE": return (v) => v.createDate <= d
        default: {
          const set = new Set(values)
          return (v) => set.has(v.createDate)
        }
      }
    }
  }
}

/** The query as a predicate over videos. */
export const compileVideoQuery = (query: VideoQuery): Predicate => {
  const all = (query.and ?? []).map(compileCondition)
  const any = (query.or ?? []).map(compileCondition)
  const none = (query.not ?? []).map(compileCondition)
  return (v) => all.every((p) => p(v)) && (any.length === 0 || any.some((p) => p(v))) && !none.some((p) => p(v))
}
