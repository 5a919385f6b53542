import { createHash } from "node:crypto"
import { canonicalJson } from "@tikflow/core/internal"

/**
 * A short stable id for a normalized request: `<stream>-<16 hex>` of a SHA-256 over canonical JSON
 * (sorted keys), so the same harvest gets the same id on every run and machine. A source's id
 * covers its whole request, range or list included; the CLI, which keeps each harvest's history,
 * names a harvest without them (a later run over more days extends it).
 */
export const harvestIdOf = (stream: string, request: unknown): string =>
  `${stream}-${createHash("sha256").update(canonicalJson({ stream, request })).digest("hex").slice(0, 16)}`
