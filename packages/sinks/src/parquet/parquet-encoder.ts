import { openAsBlob } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import type { Compression } from "parquet-wasm/esm"
import type { PartEncoder, PartStream } from "../files/part-writer.js"
import type { ColumnBatch } from "../schema/column-batch.js"
import { partShapeOf } from "../schema/column-batch.js"
import { ipcStream } from "../schema/ipc-stream.js"
import type { ParquetCompression } from "./parquet-sink.js"

type ParquetWasm = typeof import("parquet-wasm/esm")

const PAR1 = new TextEncoder().encode("PAR1")

// Dictionary encoding only where values repeat within a row group: for ids, text and counts
// arrow-rs hashes every value until the dictionary page passes 1 MB and then falls back to plain,
// and zstd finds the repeats anyway. Measured on 100k sandbox videos (zstd): 2.9 → 2.1 µs of
// main-thread CPU per record, files 2.6% larger (5.13 vs 5.00 MB).
const DICTIONARY_COLUMNS = ["region_code", "_harvest_id"]

// Loaded on first use: instantiating the wasm module costs startup time for runs without Parquet.
// The 5 MB module is compiled with WebAssembly.compile, off the main thread (the node build
// compiles it synchronously, blocking the event loop and the harvest's first requests for
// ~100 ms), then instantiated by `initSync`: the ESM build's async init asks whether its input is
// a fetch `Request` or `Response`, and touching those globals loads Node's bundled fetch
// (~35 ms of CPU and ~9 MB of RSS per run, for nothing).
let loading: Promise<ParquetWasm> | undefined
type CompiledModule = Parameters<ParquetWasm["initSync"]>[0]
/** Node's `WebAssembly.compile` (not in this project's TypeScript libs). */
const compileWasm = (bytes: Uint8Array): Promise<CompiledModule> =>
  (globalThis as unknown as { WebAssembly: { compile: (bytes: Uint8Array) => Promise<CompiledModule> } }).WebAssembly.compile(bytes)
export const loadParquetWasm = (): Promise<ParquetWasm> =>
  (loading ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve("parquet-wasm/esm/parquet_wasm_bg.wasm")
    const [module, compiled] = await Promise.all([
      import("parquet-wasm/esm"),
      readFile(wasmPath).then(compileWasm)
    ])
    module.initSync({ module: compiled })
    return module
  })())

/**
 * Encodes batches as one complete Parquet file via parquet-wasm (Arrow IPC is the hand-over
 * format, written from the column buffers by `ipcStream`: no apache-arrow on this path). Takes the module still loading: the sink opens at once and the load overlaps the
 * harvest's first requests; `ready()` waits for it (and reports its failure) before the first part.
 */
export const parquetEncoder = (
  loading: Promise<ParquetWasm>,
  options: { compression: ParquetCompression; rowGroupRows: number }
): PartEncoder => {
  // A failure is reported by ready(), not as an unhandled rejection.
  loading.catch(() => undefined)
  let encoder: LoadedEncoder | undefined
  const loaded = (): LoadedEncoder => {
    if (encoder === undefined) throw new Error("parquet-wasm used before ready()")
    return encoder
  }
  return {
    extension: "parquet",
    // A Parquet file starts and ends with `PAR1`; the footer before the last one says where the data is.
    magic: { head: PAR1, tail: PAR1 },
    ready: async () => {
      encoder ??= encoderOf(await loading, options)
    },
    encode: (batches) => loaded().encode(batches),
    open: () => loaded().open(),
    rowsIn: async (file) => {
      // Reads the footer only (the Blob is read by slices).
      const parquet = await (await loading).ParquetFile.fromFile(await openAsBlob(file))
      try {
        return parquet.metadata().fileMetadata().numRows()
      } finally {
        parquet.free()
      }
    }
  }
}

type LoadedEncoder = Required<Pick<PartEncoder, "encode" | "open">>

const encoderOf = (
  { Compression, Table: WasmTable, transformParquetStream, writeParquet, WriterPropertiesBuilder }: ParquetWasm,
  options: { compression: ParquetCompression; rowGroupRows: number }
): LoadedEncoder => {
  const codec: Compression = options.compression === "zstd"
    ? Compression.ZSTD
    : options.compression === "snappy" ? Compression.SNAPPY : Compression.UNCOMPRESSED
  const properties = () => {
    let builder = new WriterPropertiesBuilder()
      .setCompression(codec)
      .setMaxRowGroupSize(options.rowGroupRows)
      .setCreatedBy("tikflow")
      .setDictionaryEnabled(false)
    for (const column of DICTIONARY_COLUMNS) builder = builder.setColumnDictionaryEnabled(column, true)
    return builder.build()
  }
  const toWasm = (batches: ReadonlyArray<ColumnBatch>) => {
    const { kind, columns } = partShapeOf(batches)
    return WasmTable.fromIPCStream(ipcStream(kind, columns, batches))
  }
  return {
    encode(batches: ReadonlyArray<ColumnBatch>) {
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
