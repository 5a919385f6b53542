import type { AnyRecord, RecordKind } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"

/** Hive partition columns a file sink can split by, derived from a record field. */
export const partitionColumns = ["create_date"] as const
export type PartitionColumn = (typeof partitionColumns)[number]

// Hive's spelling for a null partition value; DuckDB and Spark read it back as NULL.
const NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

const isoDate = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10)

/** A function giving each record its partition directory (`create_date=2024-01-31`). */
export const partitionerFor = (column: PartitionColumn, kind: RecordKind): ((record: AnyRecord) => string) => {
  if (!(recordKinds[kind].fields as ReadonlyArray<string>).includes("create_time")) {
    throw new Error(`partition: ${column} needs a create_time field, which ${kind} records do not have`)
  }
  return (record) => {
    const time = (record as { create_time?: number | null }).create_time
    return `${column}=${time == null ? NULL_PARTITION : isoDate(time)}`
  }
}
