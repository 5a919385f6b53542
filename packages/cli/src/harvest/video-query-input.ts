import { parseQueryText, validateQuery } from "@tikflow/core/internal"
import type { VideoQueryFilter } from "@tikflow/sources/internal"
import { usageError } from "../cli-error.js"

/**
 * The query of a videos job as the API takes it: text in tikflow's expression syntax (parsed by
 * core, errors naming the position) or the API's JSON object (checked field by field). `field`
 * names where it came from: `--query`, `--query-file q.json`, `pipeline.yaml:9: jobs[0].source.query`.
 */
export const toApiQuery = (query: string | object, field: string): VideoQueryFilter => {
  try {
    return typeof query === "string" ? parseQueryText(query) : validateQuery(query, "query")
  } catch (error) {
    const message = (error as { message?: string }).message ?? String(error)
    throw usageError(`${field}: ${message.replace(/^query(?=[.:\[])[:]?\s*/, "")}`)
  }
}
