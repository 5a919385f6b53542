import type { RecordBatch } from "apache-arrow"
import { Table, tableToIPC } from "apache-arrow"
import { Compression, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from "parquet-wasm"
import type { PartEncoder } from "../files/part-writer.js"

export const parquetCompressions = ["zstd", "snappy", "none"] as const
export type ParquetCompression = (typeof parquetCompressions)[number]

const codec = (compression: ParquetCompression): Compression =>
  compression === "zstd" ? Compression.ZSTD : compression === "snappy" ? Compression.SNAPPY : Compression.UNCOMPRESSED

/** Encodes batches as one complete Parquet file via parquet-wasm (Arrow IPC is the hand-over format). */
export const parquetEncoder = (options: { compression: ParquetCompression; rowGroupRows: number }): PartEncoder => ({
  extension: "parquet",
  encode(batches: ReadonlyArray<RecordBatch>) {
    const ipc = tableToIPC(new Table(batches as Array<RecordBatch>), "stream")
    const table = WasmTable.fromIPCStream(ipc)
    const properties = new WriterPropertiesBuilder()
      .setCompression(codec(options.compression))
      .setMaxRowGroupSize(options.rowGroupRows)
      .setCreatedBy("tikflow")
      .build()
    // writeParquet consumes the wasm table and properties.
    return [writeParquet(table, properties)]
  }
})
