import type { UserEndpoint } from "../harvest/job-spec.js"
import { runHarvest } from "../harvest/run-harvest-lazily.js"
import type { Command, Example } from "./command.js"
import { sinkOptions, sinksFromFlags, transformsFromFlags } from "./harvest-options.js"
import { listInputFromFlags } from "./list-input-flags.js"

/** The commands that take usernames: user-info and the per-user lists. */
export const userListCommand = (
  endpoint: UserEndpoint,
  summary: string,
  details: string,
  examples: ReadonlyArray<Example>
): Command => ({
  name: endpoint,
  summary,
  usage: "--username NAME[,NAME…] | --usernames-from FILE|PARQUET|duckdb:FILE#TABLE --out SINK-URI [--out …]",
  details: [
    details,
    "--usernames-from reads a text file (one username per line; - for standard input), a Parquet",
    "file or directory (column username), or a DuckDB table (duckdb:research.duckdb#videos: its authors)."
  ].join("\n"),
  options: {
    username: { type: "string", multiple: true, short: "u", value: "NAME[,NAME…]", description: "usernames, comma-separated or repeated" },
    "usernames-from": { type: "string", value: "SOURCE", description: "read usernames from a file (- for stdin), Parquet or duckdb:FILE#TABLE" },
    ...sinkOptions
  },
  examples,
  run: (input) =>
    runHarvest({
      label: endpoint,
      jobs: [{
        name: endpoint,
        source: { endpoint, usernames: listInputFromFlags(input.values, "username", "usernames-from") },
        transforms: transformsFromFlags(input.values),
        sinks: sinksFromFlags(input.values)
      }]
    }, input)
})
