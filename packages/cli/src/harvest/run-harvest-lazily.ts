import type { HarvestOptions } from "./harvest-result.js"
import type { CommandInput } from "../commands/command.js"
import type { ExitCode } from "../exit-codes.js"
import { loadCredentials } from "../args/credentials.js"
import type { RunSpec } from "./job-spec.js"

/**
 * `runHarvest`, loaded on first use: the sinks (Parquet's wasm, DuckDB, Arrow) and the sources take
 * seconds to load, which `--help` and a rejected flag should not pay. Credentials and queries are
 * checked before that load, so their mistakes are reported at once.
 */
export const runHarvest = async (spec: RunSpec, input: CommandInput, options?: HarvestOptions): Promise<ExitCode> => {
  loadCredentials(input.settings.credentialsFile, input.env)
  const videoJobs = spec.jobs.filter((job) => job.source.endpoint === "videos")
  if (videoJobs.length > 0) {
    const { toApiQuery } = await import("./video-query-input.js")
    for (const job of videoJobs) {
      if (job.source.endpoint === "videos") toApiQuery(job.source.query, job.fieldNames?.query ?? "--query")
    }
  }
  return (await import("./run-harvest.js")).runHarvest(spec, input, options)
}
