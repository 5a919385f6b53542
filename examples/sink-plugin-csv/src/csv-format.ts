/**
 * RFC 4180 fields: a field is quoted when it contains the delimiter, a double quote, CR or LF
 * (or starts/ends with a space, which some readers would trim); quotes inside are doubled.
 * An empty string is quoted (`""`) so it differs from a null, which is the bare null text.
 * Records end with CRLF, as the RFC says.
 */
export const csvField = (value: string, delimiter: string): string =>
  value === "" || value.includes(delimiter) || value.includes("\"") || value.includes("\n") || value.includes("\r") ||
    value.startsWith(" ") || value.endsWith(" ")
    ? `"${value.replaceAll("\"", "\"\"")}"`
    : value

/**
 * A cell's text: null → the configured null text, lists and objects (a field a join added) → JSON,
 * everything else → String. Null is never confused with 0, `[]` or `""`.
 */
export const cellText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null
  if (typeof value === "object") return JSON.stringify(value)
  return String(value)
}

export const csvRow = (values: ReadonlyArray<unknown>, delimiter: string, nullText: string): string => {
  let line = ""
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += delimiter
    const text = cellText(values[i])
    line += text === null ? nullText : csvField(text, delimiter)
  }
  return `${line}\r\n`
}
