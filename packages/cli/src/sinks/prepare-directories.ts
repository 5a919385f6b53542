import { mkdir } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import type { SinkSpec } from "../harvest/job-spec.js"

/**
 * Creates the parent directory of each `duckdb:` database file, which the DuckDB sink does not do
 * itself (the directory sinks — parquet, arrow, ndjson — create theirs). Runs once every input was
 * validated, so a rejected command leaves nothing behind.
 */
export const prepareSinkDirectories = async (sinks: ReadonlyArray<SinkSpec>): Promise<void> => {
  for (const sink of sinks) {
    const match = /^duckdb:([^?]*)/i.exec(sink.uri)
    if (!match || match[1] === "" || match[1] === ":memory:") continue
    await mkdir(dirname(resolve(match[1])), { recursive: true })
  }
}
