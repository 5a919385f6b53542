import { runHarvest } from "../harvest/run-harvest-lazily.js"
import type { Command } from "./command.js"
import { sinkOptions, sinksFromFlags, transformsFromFlags } from "./harvest-options.js"
import { listInputFromFlags } from "./list-input-flags.js"

export const commentsCommand: Command = {
  name: "comments",
  summary: "harvest the comments of videos (the API serves the first 1,000 per video)",
  usage: "--video-id ID[,ID…] | --video-ids-from FILE|PARQUET|duckdb:FILE#TABLE --out SINK-URI [--out …]",
  details: [
    "--video-ids-from reads a text file (one id per line; - for standard input), a Parquet file or",
    "directory (column video_id or id), or a DuckDB table (duckdb:research.duckdb#videos)."
  ].join("\n"),
  options: {
    "video-id": { type: "string", multiple: true, value: "ID[,ID…]", description: "video ids, comma-separated or repeated" },
    "video-ids-from": { type: "string", value: "SOURCE", description: "read video ids from a file (- for stdin), Parquet or duckdb:FILE#TABLE" },
    ...sinkOptions
  },
  examples: [
    {
      description: "comments of the videos in a DuckDB table, into the same database",
      command: "tikflow comments --video-ids-from duckdb:./research.duckdb#videos --out duckdb:./research.duckdb"
    }
  ],
  run: (input) =>
    runHarvest({
      label: "comments",
      jobs: [{
        name: "comments",
        source: { endpoint: "comments", videoIds: listInputFromFlags(input.values, "video-id", "video-ids-from") },
        transforms: transformsFromFlags(input.values),
        sinks: sinksFromFlags(input.values)
      }]
    }, input)
}
