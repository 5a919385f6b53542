import { readIdList } from "../inputs/read-id-list.js"
import { type CollectedField, readCollected } from "./id-collector.js"
import type { ListInput } from "./job-spec.js"

/** The values of a list input: given, read from a file/Parquet/DuckDB, or collected by an earlier job. */
export const resolveListInput = async (
  input: ListInput,
  flag: string,
  collectedDir: string
): Promise<ReadonlyArray<string>> => {
  switch (input.kind) {
    case "values":
      return input.values
    case "file":
      return readIdList(flag, input.path, input.field === "username" ? "username" : "video_id")
    case "job":
      return readCollected(collectedDir, input.job, input.field as CollectedField)
  }
}
