import type { PartEncoder } from "../files/part-writer.js"
import type { ParquetProperties } from "./parquet-worker.js"
import { encodeParquetOffThread, parquetEncoderThread } from "./parquet-worker.js"

const PAR1 = new TextEncoder().encode("PAR1")

/**
 * Encodes a part's batches as one complete Parquet file via parquet-wasm in the process's encoder
 * thread (`parquet-worker.ts`), off the main thread; Arrow IPC, written from the column buffers by
 * `ipcStream`, is the hand-over format. The thread starts, and loads parquet-wasm, when the sink
 * opens, so the load overlaps the harvest's first requests; `ready()` waits for it (and reports its
 * failure) before the first part. `close()` releases the thread.
 */
export const parquetEncoder = (properties: ParquetProperties): PartEncoder => {
  const thread = parquetEncoderThread()
  return {
    extension: "parquet",
    // A Parquet file starts and ends with `PAR1`; the footer before the last one says where the data is.
    magic: { head: PAR1, tail: PAR1 },
    // Checked before each page is taken: a failed thread fails the next write, not only the flush.
    ready: () => thread.ready(),
    encode: (batches) => encodeParquetOffThread(thread, batches, properties),
    // Batch by batch: each 8,192-row batch is encoded while the harvest goes on.
    open: () => thread.open(properties),
    rowsIn: (file) => thread.rowsIn(file),
    close: () => thread.close()
  }
}
