import { dirname, isAbsolute, resolve } from "node:path"
import { usageError } from "../cli-error.js"
import { runHarvest } from "../harvest/run-harvest-lazily.js"
import type { Command } from "./command.js"
import { archiveOptions, runOptions } from "./harvest-options.js"

export const examplePipeline = `# Videos of two weeks, their comments and their authors, into DuckDB and Parquet.
sinks:
  - duckdb:./pipeline.duckdb
  - uri: parquet:./pipeline-parquet
    options: { compression: snappy }
jobs:
  - name: videos
    source:
      endpoint: videos
      query: region_code IN (US, CA)
      from: 2024-01-01
      to: 2024-01-14
      window_days: 7
    transforms: [dedupe]
  - name: comments
    source: { endpoint: comments, video_ids_from: videos }
  - name: authors
    source: { endpoint: user-info, usernames_from: videos }
    sinks: [duckdb:./pipeline.duckdb]
`

export const runCommand: Command = {
  name: "run",
  summary: "run a pipeline file: jobs in sequence, later jobs reading earlier jobs' output",
  usage: "PIPELINE.yaml|PIPELINE.json",
  details: [
    "A pipeline file (YAML or JSON) has optional top-level `sinks` (every job's default), `plugins` and",
    "`coordinator` (a postgres:// URI, as --coordinator, which overrides it),",
    "and a list of `jobs`, each with a `source` (endpoint + parameters), optional `transforms`",
    "(dedupe is the default; `[]` turns it off; `{dedupe: {keep: last, by: create_time}}`; a lookup join",
    "`{join: {endpoint: user-info, on: username, as: author, miss: keep|drop|fail}}` adds each record's",
    "user info, for ndjson:/webhook: sinks) and optional `sinks` (URIs, or {uri, options}).",
    "Endpoints and their parameters:",
    "  videos: query, from, to, window_days, fields, random, keep_repeats",
    "    (from/to: YYYY-MM-DD, today, yesterday or -Nd, UTC days)",
    "  comments: video_ids | video_ids_from",
    "  user-info, followers, following, liked-videos, pinned-videos, reposted-videos: usernames | usernames_from",
    "A *_from names an earlier job (its video ids, or its authors' usernames), a text or Parquet file,",
    "or duckdb:FILE#TABLE. Errors name the line and field: pipeline.yaml:7: sinks[1].uri: …",
    "Re-running the same file resumes: finished jobs are skipped, the running one resumes.",
    "A top-level `archive: DIR` (or `false`) sets where raw responses are archived; --archive/--no-archive win."
  ].join("\n"),
  options: { ...runOptions, ...archiveOptions },
  maxPositionals: 1,
  examples: [
    {
      description: "videos, their comments and their authors in one run",
      command: "tikflow run pipeline.yaml",
      files: { "pipeline.yaml": examplePipeline }
    }
  ],
  async run(input) {
    const file = input.positionals[0]
    if (file === undefined) throw usageError("run: expected a pipeline file (tikflow run pipeline.yaml)")
    // The YAML parser loads only for `run`.
    const { readPipelineFile } = await import("../pipeline-file/read-pipeline-file.js")
    const pipeline = await readPipelineFile(file, new Date(input.settings.now()))
    // Plugin paths in a pipeline file are relative to the file, package names resolve as usual.
    const base = dirname(resolve(file))
    const plugins = pipeline.spec.plugins.map((plugin) => ({
      field: plugin.field,
      specifier: plugin.specifier.startsWith(".") && !isAbsolute(plugin.specifier) ? resolve(base, plugin.specifier) : plugin.specifier
    }))
    // The file's coordinator unless --coordinator names one; it beats TIKFLOW_COORDINATOR, which is the machine's default.
    const coordinator = input.values.coordinator === undefined ? pipeline.spec.coordinator ?? input.settings.coordinator : input.settings.coordinator
    return runHarvest(pipeline.spec, { ...input, settings: { ...input.settings, coordinator } }, { plugins, resumeCommand: `tikflow run ${file}` })
  }
}
