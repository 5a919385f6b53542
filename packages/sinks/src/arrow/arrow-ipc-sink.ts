import { defineSink } from "@tikflow/core"
import type { SinkTarget } from "@tikflow/core"
import { RecordBatchFileWriter, RecordBatchStreamWriter } from "apache-arrow"
import type { RecordBatch } from "apache-arrow"
import { readEnum, readInt, readLocation, rejectUnknownOptions } from "../config/option-readers.js"
import type { PartEncoder } from "../files/part-writer.js"
import { openPartWriter } from "../files/part-writer.js"
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

// The IPC file format starts and ends with `ARROW1`; a stream starts with a message's continuation
// marker and ends with the end-of-stream marker (continuation, then a zero length).
const ARROW1 = new TextEncoder().encode("ARROW1")
const CONTINUATION = new Uint8Array([0xff, 0xff, 0xff, 0xff])
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])

const ipcEncoder = (format: "file" | "stream"): PartEncoder => ({
  // `.arrow` is the IPC file format (Feather v2); `.arrows` the IPC stream format.
  extension: format === "file" ? "arrow" : "arrows",
  magic: format === "file" ? { head: ARROW1, tail: ARROW1 } : { head: CONTINUATION, tail: END_OF_STREAM },
  encode(batches: ReadonlyArray<RecordBatch>) {
    const writer = format === "file" ? new RecordBatchFileWriter() : new RecordBatchStreamWriter()
    for (const batch of batches) writer.write(batch)
    writer.finish()
    return [writer.toUint8Array(true)]
  }
})

/** `arrow:<dir>?format=file|stream`: Arrow IPC part files per stream, same layout and rules as Parquet. */
export const arrowSink = defineSink<ArrowSinkConfig>({
  contract: 1,
  name: "arrow",
  schemes: ["arrow"],
  description: "Arrow IPC part files per stream (file or stream format), written atomically",
  options: {
    format: "file (default, .arrow) or stream (.arrows)",
    partition: "create_date: Hive directories create_date=YYYY-MM-DD from create_time",
    part_rows: "rows buffered before a part file is written (default 100000; bounds memory)"
  },
  config: { parse: parseConfig },
  // Records: the part writer converts them itself (per partition when partitioned), and uses a
  // batch's Arrow form when the caller already has one.
  batchFormat: "records",
  open: (context) =>
    openPartWriter(context, {
      root: context.config.dir,
      partition: context.config.partition,
      partRows: context.config.partRows,
      encoder: ipcEncoder(context.config.format)
    })
})
