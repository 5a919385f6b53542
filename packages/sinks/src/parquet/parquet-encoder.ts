import type { RecordBatch } from "apache-arrow"
import { Table, tableToIPC } from "apache-arrow"
import type { Compression } from "parquet-wasm"
import type { PartEncoder } from "../files/part-writer.js"

export const parquetCompressions = ["zstd", "snappy", "none"] as const
export type ParquetCompression = (typeof parquetCompressions)[number]

type ParquetWasm = typeof import("parquet-wasm")

// Loaded on first use: instantiating the wasm module costs startup time for runs without Parquet.
let loading: Promise<ParquetWasm> | undefined
export const loadParquetWasm = (): Promise<ParquetWasm> => (loading ??= import("parquet-wasm"))

/** Encodes batches as one complete Parquet file via parquet-wasm (Arrow IPC is the hand-over format). */
export const parquetEncoder = (
  { Compression, Table: WasmTable, writeParquet, WriterPropertiesBuilder }: ParquetWasm,
  options: { compression: ParquetCompression; rowGroupRows: number }
): PartEncoder => {
  const codec: Compression = options.compression === "zstd"
    ? Compression.ZSTD
    : options.compression === "snappy" ? Compression.SNAPPY : Compression.UNCOMPRESSED
  return {
    extension: "parquet",
    encode(batches: ReadonlyArray<RecordBatch>) {
      const ipc = tableToIPC(new Table(batches as Array<RecordBatch>), "stream")
      const table = WasmTable.fromIPCStream(ipc)
      const properties = new WriterPropertiesBuilder()
        .setCompression(codec)
        .setMaxRowGroupSize(options.rowGroupRows)
        .setCreatedBy("tikflow")
        .build()
      // writeParquet consumes the wasm table and properties.
      return [writeParquet(table, properties)]
    }
  }
}
