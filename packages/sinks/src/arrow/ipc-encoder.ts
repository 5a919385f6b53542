import { readFile } from "node:fs/promises"
import type { PartEncoder } from "../files/part-writer.js"
import { partShapeOf } from "../schema/column-batch.js"
import { ARROW_MAGIC, ipcFile } from "../schema/ipc-file.js"
import { ipcRows } from "../schema/ipc-rows.js"
import { ipcStream } from "../schema/ipc-stream.js"

// A stream starts with a message's continuation marker and ends with the end-of-stream marker
// (continuation, then a zero length); the IPC file format starts and ends with `ARROW1`.
const CONTINUATION = new Uint8Array([0xff, 0xff, 0xff, 0xff])
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])

/**
 * Encodes a part's batches as one Arrow IPC file or stream, written from the column buffers
 * (`ipcFile`, `ipcStream`: apache-arrow's bytes, without loading it).
 */
export const ipcEncoder = (format: "file" | "stream"): PartEncoder => ({
  // `.arrow` is the IPC file format (Feather v2); `.arrows` the IPC stream format.
  extension: format === "file" ? "arrow" : "arrows",
  magic: format === "file" ? { head: ARROW_MAGIC, tail: ARROW_MAGIC } : { head: CONTINUATION, tail: END_OF_STREAM },
  encode(batches) {
    const { kind, columns } = partShapeOf(batches)
    return [(format === "file" ? ipcFile : ipcStream)(kind, columns, batches)]
  },
  // A provisional day's part: small, read whole.
  rowsIn: async (file) => ipcRows(await readFile(file))
})
