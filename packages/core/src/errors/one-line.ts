/**
 * Text shown in an error (a message from the API, a plugin, a thread or the system) as one line:
 * every run of whitespace holding a line break becomes one space, and text past `max` characters
 * is cut with "…" (bodies and headers from the API can be long).
 */
export const oneLine = (text: string, max = Number.POSITIVE_INFINITY): string => {
  const flat = text.replace(/\s*[\r\n]+\s*/g, " ").trim()
  return flat.length > max ? flat.slice(0, max) + "…" : flat
}

/** Text from the API (a message, a body, a header) in an error: one line of at most 120 characters. */
export const apiSnippet = (text: string): string => oneLine(text, 120)
