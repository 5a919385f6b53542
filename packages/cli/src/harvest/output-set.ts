import { resolve } from "node:path"
import { displayName, parseSinkUri } from "@tikflow/sinks/registry"
import type { SinkTarget } from "@tikflow/core/internal"
import type { SinkSpec } from "./job-spec.js"

/** Built-in schemes whose location is a path on this machine (`-` and `:memory:` are not). */
const pathSchemes: Readonly<Record<string, string>> = { ndjson: "ndjson", jsonl: "ndjson", parquet: "parquet", arrow: "arrow", duckdb: "duckdb" }
/** Options that may hold a secret never become part of an identity written to the state. */
const SECRET_OPTION = /secret|password|passwd|token|auth|credential|key/i

const targetOf = (spec: SinkSpec): SinkTarget =>
  parseSinkUri(Object.keys(spec.options).length > 0 ? { uri: spec.uri, options: spec.options } : spec.uri)

/** The file or directory a sink writes, absolute; undefined for stdout, memory, URLs and plugins. */
export const outputPathOf = (spec: SinkSpec): string | undefined => {
  const target = targetOf(spec)
  if (pathSchemes[target.scheme] === undefined || target.location === "-" || target.location === ":memory:" || target.location === "") {
    return undefined
  }
  return resolve(target.location)
}

/**
 * One output as it identifies a checkpoint: scheme, absolute path (or URL without credentials and
 * query), and its options except secrets, e.g. `parquet:/data/out?partition=create_date`.
 */
export const outputIdentityOf = (spec: SinkSpec): string => {
  const target = targetOf(spec)
  const path = outputPathOf(spec)
  const where = path === undefined ? displayName(target) : `${pathSchemes[target.scheme]}:${path}`
  const options = Object.entries(target.options)
    .filter(([key]) => !SECRET_OPTION.test(key))
    .map(([key, value]) => `${key}=${String(value)}`)
    .sort()
  return options.length === 0 ? where : `${where}?${options.join("&")}`
}

/** A job's outputs, normalized and sorted: the same set however the command spelled it. */
export const outputSetOf = (sinks: ReadonlyArray<SinkSpec>): ReadonlyArray<string> =>
  [...new Set(sinks.map(outputIdentityOf))].sort()

export const sameOutputs = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((output, i) => output === b[i])
