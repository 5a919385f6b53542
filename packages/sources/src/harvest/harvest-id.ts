import { createHash } from "node:crypto"

const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`
  }
  return JSON.stringify(value)
}

/**
 * A short stable id for a normalized request: `<stream>-<16 hex>` of a SHA-256 over canonical JSON
 * (sorted keys), so the same harvest gets the same id on every run and machine.
 */
export const harvestIdOf = (stream: string, request: unknown): string =>
  `${stream}-${createHash("sha256").update(canonical({ stream, request })).digest("hex").slice(0, 16)}`
