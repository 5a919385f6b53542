import type { OptionSpecs, OptionValues } from "../args/option-spec.js"
import { usageError } from "../cli-error.js"
import type { SinkSpec, TransformSpec } from "../harvest/job-spec.js"

/** How much of a harvest a run does: every harvest command and `run` take them. */
export const runOptions: OptionSpecs = {
  "max-records": {
    type: "string",
    value: "N",
    description: "stop after N records (at the end of the page that reaches N; committed; exit 6): run the same command again to continue"
  },
  "dry-run": {
    type: "boolean",
    description: "print what the run would fetch (its windows or items, each one's request body, the fewest requests) and the quota left; send nothing"
  }
}

/** Where the raw API responses are archived: harvest commands and `run`. */
export const archiveOptions: OptionSpecs = {
  archive: { type: "string", value: "DIR", description: "archive every API response here, for `tikflow replay` (default <state>/archive)" },
  "no-archive": { type: "boolean", description: "keep no raw archive" }
}

/** Options every harvest command takes besides its own. */
export const sinkOptions: OptionSpecs = {
  out: {
    type: "string",
    multiple: true,
    short: "o",
    value: "SINK-URI",
    description: "where records go, repeatable: parquet:DIR, duckdb:FILE, ndjson:FILE|-, arrow:DIR, webhook:URL, <plugin>:…"
  },
  "no-dedupe": {
    type: "boolean",
    description: "deliver every record as the API sends it, repeats included (default: each record once, by primary key)"
  },
  ...runOptions,
  ...archiveOptions
}

export const sinksFromFlags = (values: OptionValues): ReadonlyArray<SinkSpec> => {
  const outs = (values.out as ReadonlyArray<string> | undefined) ?? []
  if (outs.length === 0) throw usageError("--out: required, at least one sink URI (e.g. --out parquet:./out or --out duckdb:./research.duckdb)")
  for (const uri of outs) rejectSecretInUri(uri)
  return outs.map((uri) => ({ uri, options: {}, field: "--out" }))
}

export const transformsFromFlags = (values: OptionValues): ReadonlyArray<TransformSpec> =>
  values["no-dedupe"] === true ? [] : [{ kind: "dedupe", keep: "first" }]

/**
 * A `secret=` in an `--out` URI is on the command line, where every user sees it in `ps` and it
 * lands in shell history: refused (the secret itself is never echoed). Pipeline files may carry it.
 */
const rejectSecretInUri = (uri: string): void => {
  const query = uri.indexOf("?")
  if (query < 0) return
  if (!new URLSearchParams(uri.slice(query + 1)).has("secret")) return
  throw usageError(
    `--out: ${uri.slice(0, query).replace(/\/\/[^/@]*@/, "//")}: a secret in the URI is visible to every user in ps and lands in shell history; ` +
      "set TIKFLOW_WEBHOOK_SECRET, or pass secret_env=NAME or secret_file=PATH instead"
  )
}
