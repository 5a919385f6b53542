import { hash3 } from "../random/hash.js"

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** A log id like the API's: `YYYYMMDDHHMMSS` of the answer's time, then 20 hex digits. */
export const logId = (seed: number, counter: number, now: number): string => {
  const d = new Date(now)
  const stamp = pad(d.getUTCFullYear(), 4) + pad(d.getUTCMonth() + 1, 2) + pad(d.getUTCDate(), 2) +
    pad(d.getUTCHours(), 2) + pad(d.getUTCMinutes(), 2) + pad(d.getUTCSeconds(), 2)
  const hex = (k: number) => hash3(seed, counter, 500 + k).toString(16).toUpperCase().padStart(8, "0")
  return stamp + (hex(0) + hex(1) + hex(2)).slice(0, 20)
}
