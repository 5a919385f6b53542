/**
 * RFC 4180 fields: a field is quoted when it contains the delimiter, a double quote, CR or LF
 * (or starts/ends with a space, which some readers would trim); quotes inside are doubled.
 * Records end with CRLF, as the RFC says.
 */
export const csvField = (value: string, delimiter: string): string =>
  value.includes(delimiter) || value.includes("\"") || value.includes("\n") || value.includes("\r") ||
    value.startsWith(" ") || value.endsWith(" ")
    ? `"${value.replaceAll("\"", "\"\"")}"`
    : value

/** A cell's text: null → the configured null text, lists → JSON arrays, everything else → String. */
export const cellText = (value: unknown, nullText: string): string => {
  if (value === null || value === undefined) return nullText
  if (Array.isArray(value)) return JSON.stringify(value)
  return String(value)
}

export const csvRow = (values: ReadonlyArray<unknown>, delimiter: string, nullText: string): string => {
  let line = ""
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += delimiter
    line += csvField(cellText(values[i], nullText), delimiter)
  }
  return `${line}\r\n`
}
