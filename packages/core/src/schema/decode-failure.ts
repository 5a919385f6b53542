import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { DecodeError } from "../errors/api-errors.js"

const formatLeaf = SchemaIssue.makeFormatterDefault()

/** `data.videos[3].create_time` from a list of keys and indices. */
export const formatIssuePath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (text, key) =>
      typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`,
    ""
  )

/** The first concrete problem in an issue tree, with the path leading to it. */
const firstProblem = (
  issue: SchemaIssue.Issue,
  path: ReadonlyArray<PropertyKey>
): { readonly path: ReadonlyArray<PropertyKey>; readonly issue: SchemaIssue.Issue } => {
  switch (issue._tag) {
    case "Pointer":
      return firstProblem(issue.issue, [...path, ...issue.path])
    case "Composite":
      return firstProblem(issue.issues[0], path)
    case "AnyOf":
      // A union none of whose members took the value: when one member matched its type and
      // failed inside, that inner problem is the useful one; otherwise the union is the leaf.
      return issue.issues.length > 0 ? firstProblem(issue.issues[0], path) : { path, issue }
    case "Encoding":
      return firstProblem(issue.issue, path)
    case "Filter":
      // A filter's own annotations word its failure best, unless the failure lies deeper.
      return issue.issue._tag === "Pointer" || issue.issue._tag === "Composite" || issue.issue._tag === "AnyOf"
        ? firstProblem(issue.issue, path)
        : { path, issue }
    default:
      return { path, issue }
  }
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1)

/** One line: `data.videos[3].create_time: expected number, got "x"`. */
export const describeIssue = (
  issue: SchemaIssue.Issue
): { readonly path: string; readonly detail: string; readonly message: string } => {
  const problem = firstProblem(issue, [])
  const path = formatIssuePath(problem.path)
  // Every optional field is `null | T`: the null member is noise in the message.
  const detail = lowerFirst(formatLeaf(problem.issue).split("\n")[0]).replace(/^expected null \| /, "expected ")
  return { path, detail, message: path === "" ? detail : `${path}: ${detail}` }
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

/**
 * Which record of `input` holds the value at `path`: the innermost object on the path with an
 * `id`, `video_id` or `username` — `id 7320…` — so a user can find it, or undefined.
 */
export const recordAt = (input: unknown, path: ReadonlyArray<PropertyKey>): string | undefined => {
  let found: string | undefined
  let value: unknown = input
  const field = path[path.length - 1]
  for (const key of path.slice(0, -1)) {
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key]
    const record = asRecord(value)
    if (record === undefined) continue
    for (const name of ["id", "video_id", "username"]) {
      // A refused id does not name its record: the message already quotes it.
      if (name === field) continue
      const id = record[name]
      if (typeof id === "string" || typeof id === "number") {
        found = `${name} ${String(id)}`
        break
      }
    }
  }
  return found
}

/**
 * A schema failure as the `DecodeError` sources report for `endpoint`: deterministic (the same
 * body fails the same way). With `input` (not for bodies holding secrets), the message also names
 * the record: `data.videos[3].like_count: expected …, got 1e+20 (id 7320…)`.
 */
export const toDecodeError = (error: unknown, endpoint: string, input?: { readonly body: unknown }): DecodeError => {
  if (Schema.isSchemaError(error)) {
    const { message, path } = describeIssue(error.issue)
    const record = input === undefined ? undefined : recordAt(input.body, firstProblem(error.issue, []).path)
    return new DecodeError({ endpoint, path, message: record === undefined ? message : `${message} (${record})`, deterministic: true })
  }
  return new DecodeError({ endpoint, path: "", message: error instanceof Error ? error.message : String(error) })
}
