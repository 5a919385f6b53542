import * as Effect from "effect/Effect"
import type { ConfigError } from "../errors/config-error.js"
import { conditionProblem, isQueryFieldName, queryFieldNames } from "./query-fields.js"
import type { QueryOperation } from "./query-fields.js"
import { didYouMean, isKeyword, queryTextError, quoteValue, tokenizeQuery } from "./query-lexer.js"
import type { QueryToken } from "./query-lexer.js"
import { normalizeQuery } from "./video-query.js"
import type { QueryCondition, VideoQuery } from "./video-query.js"

/**
 * The CLI's text syntax for a video query, e.g.
 * `region_code IN (US, CA) AND hashtag_name = cats AND NOT keyword = dog`.
 * Conditions: `field = v`, `field IN (v1, v2)`, `field > v` (also >=, <, <=; or the words EQ, GT,
 * GTE, LT, LTE); values bare or "quoted". AND binds tighter than OR; NOT negates a condition or a
 * parenthesized OR group. Only what the API's flat form (all of AND, any of one OR group, none of
 * NOT) can express is accepted.
 */

type Node =
  | { readonly kind: "condition"; readonly condition: QueryCondition; readonly position: number }
  | { readonly kind: "and" | "or"; readonly items: ReadonlyArray<Node>; readonly position: number }
  | { readonly kind: "not"; readonly item: Node; readonly position: number }

const wordOperations: { readonly [word: string]: QueryOperation } = { EQ: "EQ", GT: "GT", GTE: "GTE", LT: "LT", LTE: "LTE", IN: "IN" }
const symbolOperations: { readonly [symbol: string]: QueryOperation } = { "=": "EQ", ">": "GT", ">=": "GTE", "<": "LT", "<=": "LTE" }
const operationSymbols: { readonly [O in QueryOperation]: string } = { EQ: "=", IN: "IN", GT: ">", GTE: ">=", LT: "<", LTE: "<=" }

const describe = (token: QueryToken): string =>
  token.kind === "end" ? "the end of the text" : JSON.stringify("text" in token ? token.text : token.kind)

const isWord = (token: QueryToken, word: string): boolean => token.kind === "word" && token.text.toUpperCase() === word

/** How deep NOTs and parentheses may nest (the parser recurses per level). */
const MAX_NESTING = 200

class Parser {
  private at = 0
  constructor(private readonly tokens: ReadonlyArray<QueryToken>) {}

  private get next(): QueryToken {
    return this.tokens[this.at]
  }

  private expect(kind: QueryToken["kind"], expected: string): QueryToken {
    const token = this.next
    if (token.kind !== kind) throw queryTextError(token.position, expected, describe(token))
    this.at++
    return token
  }

  parse(): Node {
    const node = this.or()
    if (this.next.kind !== "end") throw queryTextError(this.next.position, "AND, OR or the end of the query", describe(this.next))
    return node
  }

  private or(): Node {
    return this.joined("or", () => this.and())
  }

  private and(): Node {
    return this.joined("and", () => this.factor())
  }

  /** `item` (`OR` | `AND`) `item` …: one item as it is, several as one node. */
  private joined(kind: "and" | "or", item: () => Node): Node {
    const first = item()
    const items = [first]
    while (isWord(this.next, kind.toUpperCase())) {
      this.at++
      items.push(item())
    }
    return items.length === 1 ? first : { kind, items, position: first.position }
  }

  private depth = 0

  private factor(): Node {
    const token = this.next
    // The parser recurses per NOT and per parenthesis: bound the nesting so absurd input is a
    // one-line error rather than a stack overflow. No query the API takes nests anywhere near this.
    if (++this.depth > MAX_NESTING) {
      throw queryTextError(token.position, `at most ${MAX_NESTING} nested NOTs or parentheses`, "deeper nesting")
    }
    try {
      if (isWord(token, "NOT")) {
        this.at++
        return { kind: "not", item: this.factor(), position: token.position }
      }
      if (token.kind === "(") {
        this.at++
        const inner = this.or()
        this.expect(")", 'a closing ")"')
        return inner
      }
      return this.condition()
    } finally {
      this.depth--
    }
  }

  private value(field: string): { readonly text: string; readonly position: number } {
    const token = this.next
    if (token.kind === "quoted" || (token.kind === "word" && !isKeyword(token.text))) {
      this.at++
      return { text: token.text, position: token.position }
    }
    throw queryTextError(token.position, `a value for ${field} (quote values that are keywords)`, describe(token))
  }

  private condition(): Node {
    const token = this.next
    if (token.kind !== "word" || isKeyword(token.text)) {
      throw queryTextError(token.position, "a condition such as region_code = US", describe(token))
    }
    if (!isQueryFieldName(token.text)) {
      throw queryTextError(token.position, `a field name (one of ${queryFieldNames.join(", ")})`, describe(token))
    }
    const field = token.text
    this.at++
    const opToken = this.next
    const operation =
      opToken.kind === "op"
        ? symbolOperations[opToken.text]
        : opToken.kind === "word"
          ? wordOperations[opToken.text.toUpperCase()]
          : undefined
    if (operation === undefined) {
      throw queryTextError(opToken.position, `an operator after ${field} (=, IN, >, >=, <, <=)`, describe(opToken))
    }
    this.at++
    const values: Array<{ readonly text: string; readonly position: number }> = []
    if (operation === "IN") {
      this.expect("(", `"(" after IN, as in ${field} IN (a, b)`)
      values.push(this.value(field))
      while (this.next.kind === ",") {
        this.at++
        values.push(this.value(field))
      }
      this.expect(")", `"," or ")" in the IN list`)
    } else {
      values.push(this.value(field))
    }
    const fieldValues = values.map((value) => value.text)
    const problem = conditionProblem(field, operation, fieldValues)
    if (problem !== undefined) {
      const culprit = values.find((value) => value.text === problem.got)
      throw queryTextError(
        culprit?.position ?? opToken.position,
        problem.expected,
        problem.got === undefined ? undefined : JSON.stringify(problem.got) + (problem.suggestion === undefined ? "" : didYouMean(problem.suggestion))
      )
    }
    return { kind: "condition", condition: { field_name: field, operation, field_values: fieldValues }, position: token.position }
  }
}

const FLAT_FORM = "the API's form: all of AND, any of one OR group, none of NOT"

/** The conditions of an OR group (nested ORs flatten); anything else cannot be expressed. */
const disjuncts = (node: Node): ReadonlyArray<QueryCondition> => {
  if (node.kind === "condition") return [node.condition]
  if (node.kind === "or") return node.items.flatMap(disjuncts)
  throw queryTextError(
    node.position,
    `only conditions inside an OR group (${FLAT_FORM})`,
    node.kind === "and" ? "an AND group as one side of an OR" : "a NOT as one side of an OR"
  )
}

/** Maps the parsed expression onto the flat form, or says where it cannot. */
const flatten = (root: Node): VideoQuery => {
  const and: Array<QueryCondition> = []
  const not: Array<QueryCondition> = []
  let or: ReadonlyArray<QueryCondition> | undefined
  const conjunct = (node: Node): void => {
    switch (node.kind) {
      case "condition":
        and.push(node.condition)
        return
      case "and":
        return node.items.forEach(conjunct)
      case "or":
        if (or !== undefined) throw queryTextError(node.position, `a single OR group (${FLAT_FORM})`, "a second OR group")
        or = disjuncts(node)
        return
      case "not": {
        const inner = node.item
        if (inner.kind === "not") return conjunct(inner.item)
        if (inner.kind === "and") {
          throw queryTextError(node.position, `NOT of a condition or of an OR group (${FLAT_FORM})`, "NOT of an AND")
        }
        not.push(...disjuncts(inner))
        return
      }
    }
  }
  conjunct(root)
  return normalizeQuery({ and, ...(or === undefined ? {} : { or }), not })
}

/**
 * Parses the query text syntax into the API's query, in its normal form (see `normalizeQuery`).
 * Throws a `ConfigError` (field `query`) whose message names the position and what was expected.
 */
export const parseQueryText = (text: string): VideoQuery => {
  const root = new Parser(tokenizeQuery(text)).parse()
  return flatten(root)
}

/** {@link parseQueryText} as an Effect failing with the `ConfigError`. */
export const parseQuery = (text: string): Effect.Effect<VideoQuery, ConfigError> =>
  Effect.try({ try: () => parseQueryText(text), catch: (error) => error as ConfigError })

const formatCondition = (condition: QueryCondition): string =>
  condition.operation === "IN"
    ? `${condition.field_name} IN (${condition.field_values.map(quoteValue).join(", ")})`
    : `${condition.field_name} ${operationSymbols[condition.operation]} ${quoteValue(condition.field_values[0])}`

/** A query as text that `parseQueryText` reads back as its normal form. */
export const formatQuery = (query: VideoQuery): string => {
  const { and = [], or = [], not = [] } = normalizeQuery(query)
  const parts = and.map(formatCondition)
  if (or.length > 0) {
    const group = or.map(formatCondition).join(" OR ")
    parts.push(and.length === 0 && not.length === 0 ? group : `(${group})`)
  }
  parts.push(...not.map((condition) => `NOT ${formatCondition(condition)}`))
  return parts.join(" AND ")
}
