import { createHash } from "node:crypto"
import { canonicalJson } from "@tikflow/core/internal"

/**
 * A short stable id for a normalized request: `<stream>-<16 hex>` of a SHA-256 over canonical JSON
 * (sorted keys), so the same harvest gets the same id on every run and machine.
 */
export const harvestIdOf = (stream: string, request: unknown): string =>
  `${stream}-${createHash("sha256").update(canonicalJson({ stream, request })).digest("hex").slice(0, 16)}`
