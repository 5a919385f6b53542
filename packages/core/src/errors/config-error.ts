import * as Data from "effect/Data"
import { hasTag } from "./has-tag.js"

/**
 * Bad input from a user: a flag, a pipeline file, a query expression, a plugin's config.
 * `field` names what was wrong (e.g. `--from`, `sinks[1].uri`, `query`), `expected` what would
 * have been right, `got` (when known) what was given; `message` is the one line shown to the user.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly field: string
  readonly expected: string
  readonly got?: unknown
  readonly message: string
}> {
  static make(field: string, expected: string, got?: unknown): ConfigError {
    const shown = got === undefined ? "" : `, got ${JSON.stringify(got)}`
    return new ConfigError({ field, expected, got, message: `${field}: expected ${expected}${shown}` })
  }
}

/** A `ConfigError` by its tag, not its class (a plugin's own copy of @tikflow/core has its own class). */
export const isConfigError = hasTag<ConfigError>("ConfigError")
