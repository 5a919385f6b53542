import { Schema, SchemaIssue } from "effect"
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

/** A schema failure as the `DecodeError` sources report for `endpoint`. */
export const toDecodeError = (error: unknown, endpoint: string): DecodeError => {
  if (Schema.isSchemaError(error)) {
    const { message, path } = describeIssue(error.issue)
    return new DecodeError({ endpoint, path, message })
  }
  return new DecodeError({ endpoint, path: "", message: error instanceof Error ? error.message : String(error) })
}
