import { readFile } from "node:fs/promises"
import type { PartEncoder } from "../files/part-writer.js"
import { apacheArrow } from "../schema/arrow-library.js"
import { toArrowRecordBatch } from "../schema/record-batch.js"

// The IPC file format starts and ends with `ARROW1`; a stream starts with a message's continuation
// marker and ends with the end-of-stream marker (continuation, then a zero length).
const ARROW1 = new TextEncoder().encode("ARROW1")
const CONTINUATION = new Uint8Array([0xff, 0xff, 0xff, 0xff])
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])

/** Encodes a part's batches as one Arrow IPC file or stream. */
export const ipcEncoder = (format: "file" | "stream"): PartEncoder => ({
  // `.arrow` is the IPC file format (Feather v2); `.arrows` the IPC stream format.
  extension: format === "file" ? "arrow" : "arrows",
  magic: format === "file" ? { head: ARROW1, tail: ARROW1 } : { head: CONTINUATION, tail: END_OF_STREAM },
  encode(batches) {
    const { RecordBatchFileWriter, RecordBatchStreamWriter } = apacheArrow()
    const writer = format === "file" ? new RecordBatchFileWriter() : new RecordBatchStreamWriter()
    for (const batch of batches) writer.write(toArrowRecordBatch(batch))
    writer.finish()
    return [writer.toUint8Array(true)]
  },
  // A provisional day's part: small, read whole.
  rowsIn: async (file) => apacheArrow().tableFromIPC(await readFile(file)).numRows
})
