import { ConfigError } from "../errors/config-error.js"
import type { SinkTarget } from "./sink-plugin.js"

// Readers for `SinkTarget.options`, for built-in and third-party sinks alike: values arrive as
// strings from a URI query or typed from a pipeline file, and a bad value fails with a
// `ConfigError` naming the option, what was expected and what was given, on one line.

const fail = (key: string, expected: string, got?: unknown): never => {
  throw ConfigError.make(key, expected, got)
}

/** Throws on any option not in `known`, so a typo does not silently fall back to a default. */
export const rejectUnknownOptions = (target: SinkTarget, known: ReadonlyArray<string>): void => {
  for (const key of Object.keys(target.options)) {
    if (!known.includes(key)) fail(key, `one of the options ${known.join(", ")} (unknown option)`)
  }
}

export const readEnum = <const A extends string>(target: SinkTarget, key: string, allowed: ReadonlyArray<A>, fallback: A): A => {
  const value = target.options[key]
  if (value === undefined) return fallback
  if (typeof value === "string" && (allowed as ReadonlyArray<string>).includes(value)) return value as A
  return fail(key, `one of ${allowed.join(", ")}`, value)
}

export const readInt = (target: SinkTarget, key: string, bounds: { min: number; max: number }, fallback: number): number => {
  const value = target.options[key]
  if (value === undefined) return fallback
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
    return fail(key, `an integer from ${bounds.min} to ${bounds.max}`, value)
  }
  return n
}

export const readBool = (target: SinkTarget, key: string, fallback: boolean): boolean => {
  const value = target.options[key]
  if (value === undefined) return fallback
  if (value === true || value === "true" || value === "1" || value === "") return true
  if (value === false || value === "false" || value === "0") return false
  return fail(key, "true or false", value)
}

export const readString = (target: SinkTarget, key: string): string | undefined => {
  const value = target.options[key]
  if (value === undefined) return undefined
  if (typeof value !== "string" || value.length === 0) return fail(key, "a non-empty string", value)
  return value
}

/** The location, required non-empty. */
export const readLocation = (target: SinkTarget, expected: string): string => {
  if (target.location.length === 0) fail("location", `${expected} after "${target.scheme}:"`)
  return target.location
}
