import { usageError } from "../cli-error.js"

/** A positive number option, e.g. `--rate 5` or `--rate 0.5`. */
export const parsePositiveNumber = (flag: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw usageError(`${flag}: expected a positive number, got ${JSON.stringify(raw)}`)
  }
  return value
}

/** A whole number within bounds, e.g. `--window-days 7` (1..30). */
export const parseIntegerIn = (
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number
): number => {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw usageError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return value
}
