/** One command-line option as a command declares it: the parser's view plus what `--help` shows. */
export interface OptionSpec {
  readonly type: "string" | "boolean"
  readonly multiple?: boolean
  readonly short?: string
  /** Placeholder shown in help, e.g. `YYYY-MM-DD`. */
  readonly value?: string
  readonly description: string
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>

/** Parsed values, keyed by option name. */
export type OptionValues = Readonly<Record<string, string | boolean | ReadonlyArray<string> | undefined>>
