import { parseList } from "../args/lists.js"
import type { OptionValues } from "../args/option-spec.js"
import { usageError } from "../cli-error.js"
import type { ListInput } from "../harvest/job-spec.js"

/**
 * `--username a,b` or `--usernames-from FILE` (exactly one); likewise `--video-id` /
 * `--video-ids-from`. Files are read later, when the run starts, with errors naming the flag.
 */
export const listInputFromFlags = (
  values: OptionValues,
  flag: "username" | "video-id",
  fromFlag: "usernames-from" | "video-ids-from"
): ListInput => {
  const direct = values[flag] as ReadonlyArray<string> | undefined
  const from = values[fromFlag] as string | undefined
  if (direct !== undefined && from !== undefined) throw usageError(`--${fromFlag}: give either --${flag} or --${fromFlag}, not both`)
  if (from !== undefined) return { kind: "file", path: from, field: flag === "username" ? "username" : "video_id" }
  if (direct === undefined) throw usageError(`--${flag}: required (or --${fromFlag} <file|parquet|duckdb:file#table>)`)
  const items = parseList(`--${flag}`, direct)
  if (flag === "video-id") {
    const bad = items.find((id) => !/^\d{1,20}$/.test(id))
    if (bad !== undefined) throw usageError(`--video-id: expected numeric video ids, got ${JSON.stringify(bad)}`)
  }
  return { kind: "values", values: items }
}
