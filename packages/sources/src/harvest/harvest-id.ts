import { createHash } from "node:crypto"
import { canonicalJson } from "@tikflow/core/internal"

/**
 * A short stable id for a normalized request: `<stream>-<16 hex>` of a SHA-256 over canonical JSON
 * (sorted keys), so the same harvest gets the same id on every run and machine. Sources leave their
 * date range or id list out of `request`: a later run over more days or items is the same harvest,
 * extended (its history says what is covered already; its checkpoint resumes the same plan).
 */
export const harvestIdOf = (stream: string, request: unknown): string =>
  `${stream}-${createHash("sha256").update(canonicalJson({ stream, request })).digest("hex").slice(0, 16)}`
