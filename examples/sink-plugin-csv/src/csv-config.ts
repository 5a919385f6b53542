import type { SinkTarget } from "@tikflow/core"
import { ConfigError, readBool, readLocation, readString, rejectUnknownOptions } from "@tikflow/core"

export interface CsvSinkConfig {
  /** The directory; each stream goes to `<dir>/<stream>.csv`. */
  readonly dir: string
  readonly delimiter: string
  readonly header: boolean
  readonly nullText: string
}

/**
 * Returns the config or throws a `ConfigError` naming the option and what was expected (the
 * option readers of `@tikflow/core` do that for the common cases), as the sink contract asks.
 */
export const parseCsvConfig = (target: SinkTarget): CsvSinkConfig => {
  rejectUnknownOptions(target, ["delimiter", "header", "null"])
  return {
    dir: readLocation(target, "a directory"),
    delimiter: readDelimiter(target),
    header: readBool(target, "header", true),
    nullText: target.options.null === "" ? "" : readString(target, "null") ?? ""
  }
}

const readDelimiter = (target: SinkTarget): string => {
  const delimiter = String(target.options.delimiter ?? ",")
  if (delimiter === "\\t" || delimiter === "tab") return "\t"
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw ConfigError.make("delimiter", "one character other than a double quote or a line break", delimiter)
  }
  return delimiter
}
