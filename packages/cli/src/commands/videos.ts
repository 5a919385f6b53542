import { parseDateRange } from "../args/dates.js"
import { parseList } from "../args/lists.js"
import { parseIntegerIn } from "../args/numbers.js"
import { usageError } from "../cli-error.js"
import { MAX_WINDOW_DAYS, type RunSpec } from "../harvest/job-spec.js"
import { runHarvest } from "../harvest/run-harvest-lazily.js"
import { MiB, readBoundedText } from "../inputs/read-bounded-text.js"
import type { Command } from "./command.js"
import { sinkOptions, sinksFromFlags, transformsFromFlags } from "./harvest-options.js"

export const videosCommand: Command = {
  name: "videos",
  summary: "harvest a video query over any date range (split into windows of ≤ 30 days)",
  usage: "--query EXPR | --query-file FILE --from DAY --to DAY --out SINK-URI [--out …]",
  details: [
    "Query expressions combine conditions with AND, OR, NOT and parentheses; a condition is",
    "  field = value | field IN (v1, v2, …) | field > value (also >=, <, <=)   values bare or \"quoted\"",
    "AND binds tighter than OR. Only what the API can express is accepted: all of the AND conditions,",
    "any of one OR group, none of the NOT conditions (e.g. a AND (b OR c) AND NOT d).",
    "Fields: id, create_date, username, region_code, hashtag_name, keyword, music_id, effect_id, video_length.",
    "--query-file takes the same expression, or the API's JSON query object ({\"and\": [...], \"or\": [...], \"not\": [...]}).",
    "Days are UTC and inclusive: a date YYYY-MM-DD, or today, yesterday, -Nd (N days before today).",
    "Re-running the same command resumes where it stopped."
  ].join("\n"),
  options: {
    query: { type: "string", value: "EXPR", description: "the query expression" },
    "query-file": { type: "string", value: "FILE", description: "read the query (expression or API JSON) from a file" },
    from: { type: "string", value: "DAY", description: "first day (UTC): YYYY-MM-DD, today, yesterday or -Nd" },
    to: { type: "string", value: "DAY", description: "last day (UTC), inclusive: YYYY-MM-DD, today, yesterday or -Nd" },
    fields: { type: "string", value: "a,b,…", description: "video fields to request (default: all)" },
    "window-days": { type: "string", value: "N", description: `days per query window, 1..${MAX_WINDOW_DAYS} (default ${MAX_WINDOW_DAYS})` },
    random: { type: "boolean", description: "one random page per window (is_random) instead of every video" },
    ...sinkOptions
  },
  examples: [
    {
      description: "US and Canadian videos of January 2024 into a DuckDB file",
      command: "tikflow videos --query 'region_code IN (US, CA)' --from 2024-01-01 --to 2024-01-31 --out duckdb:./research.duckdb"
    },
    {
      description: "two months in weekly windows, to Parquet and NDJSON at once",
      command:
        "tikflow videos --query 'hashtag_name = fyp AND NOT region_code = FR' --from 2024-01-01 --to 2024-02-29 --window-days 7 --out parquet:./videos --out ndjson:./videos.ndjson"
    }
  ],
  async run(input) {
    const { values, settings } = input
    const queryText = values.query as string | undefined
    const queryFile = values["query-file"] as string | undefined
    if (queryText !== undefined && queryFile !== undefined) throw usageError("--query-file: give either --query or --query-file, not both")
    if (queryText === undefined && queryFile === undefined) throw usageError("--query: required (or --query-file FILE)")
    const query = queryText ?? readQueryFile(queryFile!)
    const range = parseDateRange(values.from as string | undefined, values.to as string | undefined, new Date(settings.now()))
    const spec: RunSpec = {
      label: "videos",
      jobs: [{
        name: "videos",
        fieldNames: { query: queryFile === undefined ? "--query" : `--query-file ${queryFile}` },
        source: {
          endpoint: "videos",
          query,
          from: range.from,
          to: range.to,
          windowDays: parseIntegerIn("--window-days", values["window-days"] as string | undefined, MAX_WINDOW_DAYS, 1, MAX_WINDOW_DAYS),
          fields: values.fields === undefined ? undefined : parseList("--fields", [values.fields as string]),
          random: values.random === true,
          keepRepeats: values["no-dedupe"] === true
        },
        transforms: transformsFromFlags(values),
        sinks: sinksFromFlags(values)
      }]
    }
    return runHarvest(spec, input)
  }
}

/** A query is a few hundred bytes; even thousands of hashtags fit well within this. */
const MAX_QUERY_FILE_BYTES = 1 * MiB

/** A query file holds the API's JSON query object or an expression. */
const readQueryFile = (path: string): string | object => {
  const trimmed = readBoundedText("--query-file", path, MAX_QUERY_FILE_BYTES).trim()
  if (!trimmed.startsWith("{")) return trimmed
  try {
    return JSON.parse(trimmed) as object
  } catch (error) {
    throw usageError(`--query-file: ${path} is not valid JSON: ${(error as Error).message}`)
  }
}
