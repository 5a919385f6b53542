import { defineSink } from "@tikflow/core/internal"
import type { SinkTarget } from "@tikflow/core/internal"
import { readEnum, readInt, readLocation, rejectUnknownOptions } from "@tikflow/core/internal"
import type { PartitionColumn } from "../files/partitioning.js"
import { partitionColumns } from "../files/partitioning.js"

export interface ArrowSinkConfig {
  readonly dir: string
  readonly format: "file" | "stream"
  readonly partition: PartitionColumn | undefined
  readonly partRows: number
}

const parseConfig = (target: SinkTarget): ArrowSinkConfig => {
  rejectUnknownOptions(target, ["format", "partition", "part_rows"])
  return {
    dir: readLocation(target, "a directory"),
    format: readEnum(target, "format", ["file", "stream"], "file"),
    partition: target.options.partition === undefined ? undefined : readEnum(target, "partition", partitionColumns, "create_date"),
    partRows: readInt(target, "part_rows", { min: 1, max: 10_000_000 }, 100_000)
  }
}

/** `arrow:<dir>?format=file|stream`: Arrow IPC part files per stream, same layout and rules as Parquet. */
export const arrowSink = defineSink<ArrowSinkConfig>({
  contract: 3,
  name: "arrow",
  schemes: ["arrow"],
  description: "Arrow IPC part files per stream (file or stream format), written atomically",
  options: {
    format: "file (default, .arrow) or stream (.arrows)",
    partition: "create_date: Hive directories create_date=YYYY-MM-DD from create_time",
    part_rows: "rows buffered before a part file is written (default 100000; bounds memory)"
  },
  config: { parse: parseConfig },
  // Records: the part writer converts them itself (per partition when partitioned).
  batchFormat: "records",
  // The part writer and its encoder load when an Arrow sink opens, not when the registry does;
  // the encoder writes the IPC bytes itself (no apache-arrow).
  open: async (context) => {
    const [{ openPartWriter }, { ipcEncoder }] = await Promise.all([import("../files/part-writer.js"), import("./ipc-encoder.js")])
    return openPartWriter(context, {
      root: context.config.dir,
      partition: context.config.partition,
      partRows: context.config.partRows,
      encoder: ipcEncoder(context.config.format)
    })
  }
})
