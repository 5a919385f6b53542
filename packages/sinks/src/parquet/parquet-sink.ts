import { defineSink } from "@tikflow/core/internal"
import type { SinkTarget } from "@tikflow/core/internal"
import { readEnum, readInt, readLocation, rejectUnknownOptions } from "@tikflow/core/internal"
import type { PartitionColumn } from "../files/partitioning.js"
import { partitionColumns } from "../files/partitioning.js"

export const parquetCompressions = ["zstd", "snappy", "none"] as const
/**
 * Snappy, as pyarrow and DuckDB write by default: on the harvest's records it costs ~1.8 µs of CPU
 * per record less than zstd (parquet-wasm's zstd is level 1, its fastest and only one) for files
 * ~1.7× as large; the CLI's CPU per record is what bounds its throughput (docs/architecture.md, decisions).
 */
export const DEFAULT_PARQUET_COMPRESSION: ParquetCompression = "snappy"
export type ParquetCompression = (typeof parquetCompressions)[number]

export interface ParquetSinkConfig {
  readonly dir: string
  readonly compression: ParquetCompression
  readonly partition: PartitionColumn | undefined
  readonly partRows: number
  readonly rowGroupRows: number
}

const parseConfig = (target: SinkTarget): ParquetSinkConfig => {
  rejectUnknownOptions(target, ["compression", "partition", "part_rows", "row_group_rows"])
  const partition = target.options.partition === undefined ? undefined : readEnum(target, "partition", partitionColumns, "create_date")
  const partRows = readInt(target, "part_rows", { min: 1, max: 10_000_000 }, 100_000)
  return {
    dir: readLocation(target, "a directory"),
    compression: readEnum(target, "compression", parquetCompressions, DEFAULT_PARQUET_COMPRESSION),
    partition,
    partRows,
    rowGroupRows: readInt(target, "row_group_rows", { min: 1, max: 10_000_000 }, Math.min(partRows, 122_880))
  }
}

/**
 * `parquet:<dir>`: a Parquet dataset per stream, `<dir>/<stream>/[create_date=…/]part-….parquet`,
 * read back with one glob: `read_parquet('<dir>/<stream>/**\/*.parquet', hive_partitioning = true)`.
 */
export const parquetSink = defineSink<ParquetSinkConfig>({
  contract: 3,
  name: "parquet",
  schemes: ["parquet"],
  description: "Parquet dataset per stream: complete part files written atomically, optional Hive partitions",
  options: {
    compression: "snappy (default: least CPU per record), zstd (files ~0.6× snappy's, ~1.8 µs more CPU per record) or none",
    partition: "create_date: Hive directories create_date=YYYY-MM-DD from create_time",
    part_rows: "rows buffered before a part file is written (default 100000; bounds memory)",
    row_group_rows: "rows per Parquet row group (default min(part_rows, 122880))"
  },
  config: { parse: parseConfig },
  // Records: the part writer converts them itself (per partition when partitioned).
  batchFormat: "records",
  // The part writer loads, and the encoder thread (parquet-wasm) starts, when a Parquet sink opens, not when the registry does.
  open: async (context) => {
    const [{ openPartWriter }, { parquetEncoder }] = await Promise.all([
      import("../files/part-writer.js"),
      import("./parquet-encoder.js")
    ])
    return openPartWriter(context, {
      root: context.config.dir,
      partition: context.config.partition,
      partRows: context.config.partRows,
      encoder: parquetEncoder(context.config)
    })
  }
})
