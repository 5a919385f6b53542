import type { RecordBatch } from "apache-arrow"
import { Table, tableToIPC } from "apache-arrow"
import type { Compression } from "parquet-wasm"
import type { PartEncoder, PartStream } from "../files/part-writer.js"

export const parquetCompressions = ["zstd", "snappy", "none"] as const
export type ParquetCompression = (typeof parquetCompressions)[number]

type ParquetWasm = typeof import("parquet-wasm")

// Loaded on first use: instantiating the wasm module costs startup time for runs without Parquet.
let loading: Promise<ParquetWasm> | undefined
export const loadParquetWasm = (): Promise<ParquetWasm> => (loading ??= import("parquet-wasm"))

/** Encodes batches as one complete Parquet file via parquet-wasm (Arrow IPC is the hand-over format). */
export const parquetEncoder = (
  { Compression, Table: WasmTable, transformParquetStream, writeParquet, WriterPropertiesBuilder }: ParquetWasm,
  options: { compression: ParquetCompression; rowGroupRows: number }
): PartEncoder => {
  const codec: Compression = options.compression === "zstd"
    ? Compression.ZSTD
    : options.compression === "snappy" ? Compression.SNAPPY : Compression.UNCOMPRESSED
  const properties = () =>
    new WriterPropertiesBuilder()
      .setCompression(codec)
      .setMaxRowGroupSize(options.rowGroupRows)
      .setCreatedBy("tikflow")
      .build()
  const toWasm = (batches: ReadonlyArray<RecordBatch>) => WasmTable.fromIPCStream(tableToIPC(new Table(batches as Array<RecordBatch>), "stream"))
  return {
    extension: "parquet",
    encode(batches: ReadonlyArray<RecordBatch>) {
      // writeParquet consumes the wasm table and properties.
      return [writeParquet(toWasm(batches), properties())]
    },
    open(): PartStream {
      // parquet-wasm's streaming writer (arrow-rs ArrowWriter) encodes each batch as it is
      // enqueued and emits the file's bytes row group by row group; the same bytes as writeParquet.
      let input!: ReadableStreamDefaultController<unknown>
      const batches = new ReadableStream<unknown>({ start: (controller) => void (input = controller) })
      const chunks: Array<Uint8Array> = []
      let output: Promise<void> | undefined
      let ended: Promise<ReadonlyArray<Uint8Array>> | undefined
      return {
        write(batch) {
          const table = toWasm([batch])
          for (const wasmBatch of table.recordBatches()) input.enqueue(wasmBatch)
          table.free()
          // Started after the first batch: the writer reads the schema from it before resolving.
          if (output === undefined) {
            output = transformParquetStream(batches, properties()).then(async (bytes) => {
              for await (const chunk of bytes as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk)
            })
            // A failure is reported by end(), not as an unhandled rejection.
            output.catch(() => undefined)
          }
        },
        end: () =>
          (ended ??= (async () => {
            input.close()
            await output
            return chunks
          })())
      }
    }
  }
}
