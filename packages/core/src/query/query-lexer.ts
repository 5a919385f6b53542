import { ConfigError } from "../errors/config-error.js"

/** A token of the query text syntax, with its offset in the text. */
export type QueryToken =
  | { readonly kind: "(" | ")" | "," | "end"; readonly position: number }
  | { readonly kind: "op"; readonly text: "=" | ">" | ">=" | "<" | "<="; readonly position: number }
  | { readonly kind: "word"; readonly text: string; readonly position: number }
  | { readonly kind: "quoted"; readonly text: string; readonly position: number }

/** Characters that end a bare word (everything else, unicode included, may appear in one). */
const SPECIAL = new Set(["(", ")", ",", '"', "=", "<", ">", "!"])
const isSpace = (char: string): boolean => /\s/u.test(char)

/** One-line error at `position` of the query text. */
export const queryTextError = (position: number, expected: string, got?: string): ConfigError =>
  new ConfigError({
    field: "query",
    expected,
    message: `query: expected ${expected} at position ${position}${got === undefined ? "" : `, got ${got}`}`
  })

/** The tail of a refusal that names the value the user likely meant. */
export const didYouMean = (suggestion: string): string => ` (did you mean ${suggestion}?)`

/** Splits query text into tokens; quoted strings take `\\"` and `\\\\` escapes. */
export const tokenizeQuery = (text: string): ReadonlyArray<QueryToken> => {
  const tokens: Array<QueryToken> = []
  let at = 0
  while (at < text.length) {
    const char = text[at]
    if (isSpace(char)) {
      at++
    } else if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: char, position: at })
      at++
    } else if (char === "=" || char === "<" || char === ">") {
      const start = at
      at++
      if (char === "=" && text[at] === "=") at++
      const withEquals = char !== "=" && text[at] === "="
      if (withEquals) at++
      const op = char === "=" ? "=" : ((withEquals ? `${char}=` : char) as ">" | ">=" | "<" | "<=")
      tokens.push({ kind: "op", text: op, position: start })
    } else if (char === '"') {
      const start = at
      let value = ""
      at++
      for (;;) {
        if (at >= text.length) throw queryTextError(start, 'a closing "', "the end of the text")
        const next = text[at]
        if (next === '"') break
        if (next === "\\") {
          const escaped = text[at + 1]
          if (escaped !== '"' && escaped !== "\\") {
            throw queryTextError(at, '\\" or \\\\ after a backslash', escaped === undefined ? "the end" : JSON.stringify(`\\${escaped}`))
          }
          value += escaped
          at += 2
        } else {
          value += next
          at++
        }
      }
      at++
      tokens.push({ kind: "quoted", text: value, position: start })
    } else if (char === "!") {
      // No such operator: kept as a word so the parser says what it expected there.
      const bang = text[at + 1] === "=" ? "!=" : "!"
      tokens.push({ kind: "word", text: bang, position: at })
      at += bang.length
    } else {
      const start = at
      while (at < text.length && !SPECIAL.has(text[at]) && !isSpace(text[at])) at++
      tokens.push({ kind: "word", text: text.slice(start, at), position: start })
    }
  }
  tokens.push({ kind: "end", position: text.length })
  return tokens
}

/** Whether a value must be quoted to read back as itself. */
export const needsQuotes = (value: string): boolean =>
  value === "" || [...value].some((char) => SPECIAL.has(char) || isSpace(char) || char === "\\") || isKeyword(value)

const KEYWORDS = new Set(["AND", "OR", "NOT", "IN", "EQ", "GT", "GTE", "LT", "LTE"])
export const isKeyword = (word: string): boolean => KEYWORDS.has(word.toUpperCase())

/** A value as query text: bare when unambiguous, else quoted. */
export const quoteValue = (value: string): string =>
  needsQuotes(value) ? `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"` : value
