import type { SinkTarget } from "@tikflow/core"

export interface CsvSinkConfig {
  /** The directory; each stream goes to `<dir>/<stream>.csv`. */
  readonly dir: string
  readonly delimiter: string
  readonly header: boolean
  readonly nullText: string
}

const KNOWN = ["delimiter", "header", "null"]

/**
 * A plain validator (no Effect needed): returns the config or throws one line naming the field and
 * what was expected, as the sink contract asks.
 */
export const parseCsvConfig = (target: SinkTarget): CsvSinkConfig => {
  for (const key of Object.keys(target.options)) {
    if (!KNOWN.includes(key)) throw new Error(`${key}: expected one of the options ${KNOWN.join(", ")} (unknown option)`)
  }
  if (target.location === "") throw new Error(`location: expected a directory after "${target.scheme}:"`)
  const delimiter = String(target.options.delimiter ?? ",")
  if (delimiter === "\\t" || delimiter === "tab") return finish(target, "\t")
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw new Error(`delimiter: expected one character other than a double quote or a line break, got ${JSON.stringify(delimiter)}`)
  }
  return finish(target, delimiter)
}

const finish = (target: SinkTarget, delimiter: string): CsvSinkConfig => {
  const header = target.options.header ?? true
  if (header !== true && header !== false && header !== "true" && header !== "false") throw new Error(`header: expected true or false, got ${JSON.stringify(header)}`)
  return { dir: target.location, delimiter, header: header === true || header === "true", nullText: String(target.options.null ?? "") }
}
