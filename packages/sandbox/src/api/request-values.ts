import { InvalidParams } from "./invalid-params.js"

/** Readers for request-body members: each failure names the member and what was expected. */

export const integerIn = (body: Record<string, unknown>, name: string, min: number, max: number, fallback: number): number => {
  const value = body[name]
  if (value === undefined || value === null) return fallback
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidParams(`${name}: expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`)
  }
  return value
}

export const requiredString = (body: Record<string, unknown>, name: string): string => {
  const value = body[name]
  if (typeof value !== "string" || value === "") throw new InvalidParams(`${name}: expected a non-empty string`)
  return value
}

export const optionalString = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name]
  if (value === undefined || value === null || value === "") return undefined
  if (typeof value !== "string") throw new InvalidParams(`${name}: expected a string`)
  return value
}

export const optionalBoolean = (body: Record<string, unknown>, name: string): boolean => {
  const value = body[name]
  if (value === undefined || value === null) return false
  if (typeof value !== "boolean") throw new InvalidParams(`${name}: expected true or false`)
  return value
}

/**
 * An id member, as a decimal string. A client may also send it as a bare JSON number; `JSON.parse`
 * would round that, so the digits are taken from the raw body instead.
 */
export const requiredId = (body: Record<string, unknown>, rawBody: string, name: string): string => {
  const value = body[name]
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return value
  if (typeof value === "number") {
    const match = new RegExp(`"${name}"\\s*:\\s*(\\d{1,20})`).exec(rawBody)
    if (match) return match[1]
  }
  throw new InvalidParams(`${name}: expected a decimal id string`)
}

/** Parses a JSON request body into an object. */
export const parseBody = (raw: string): Record<string, unknown> => {
  let value: unknown
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw)
  } catch {
    throw new InvalidParams("body: expected a JSON object")
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidParams("body: expected a JSON object")
  return value as Record<string, unknown>
}
