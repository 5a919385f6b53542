import { expect } from "vitest"
import { ConfigError } from "../../src/errors/config-error.js"

/** Runs `run`, which must throw a `ConfigError`, and returns it for its message to be checked. */
export const refusal = (run: () => unknown): ConfigError => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error("expected a ConfigError")
}
