import type { HarvestOptions } from "./run-harvest.js"
import type { CommandInput } from "../commands/command.js"
import type { ExitCode } from "../exit-codes.js"
import type { RunSpec } from "./job-spec.js"

/**
 * `runHarvest`, loaded on first use: the sinks (Parquet's wasm, DuckDB, Arrow) and the sources take
 * about two seconds to load, which `--help` and a rejected flag should not pay.
 */
export const runHarvest = async (spec: RunSpec, input: CommandInput, options?: HarvestOptions): Promise<ExitCode> =>
  (await import("./run-harvest.js")).runHarvest(spec, input, options)
