import { ByteBuffer } from "flatbuffers"
import { ARROW_MAGIC, FILE_HEAD_LENGTH } from "./ipc-file.js"
import { HEADER_RECORD_BATCH } from "./ipc-stream.js"

// Message.fbs: the fields of a Message table and of a RecordBatch table this reader needs.
const MESSAGE_HEADER_TYPE = 1
const MESSAGE_HEADER = 2
const MESSAGE_BODY_LENGTH = 3
const RECORD_BATCH_LENGTH = 0

/** The position of a table's field `index` (0 when absent). */
const fieldAt = (bb: ByteBuffer, table: number, index: number): number => {
  const offset = bb.__offset(table, 4 + 2 * index)
  return offset === 0 ? 0 : table + offset
}

/**
 * The rows an Arrow IPC file or stream holds: the sum of its record batches' lengths, read from
 * the messages in order (a file's, after its leading magic, are a stream's), their bodies skipped.
 * For the Arrow IPC sink's own parts (what `replaceDays` removes), without apache-arrow.
 */
export const ipcRows = (bytes: Uint8Array): number => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const isFile = ARROW_MAGIC.every((byte, i) => bytes[i] === byte)
  let at = isFile ? FILE_HEAD_LENGTH : 0
  let rows = 0
  while (at + 4 <= bytes.byteLength) {
    let length = view.getInt32(at, true)
    at += 4
    // A continuation marker, then the length (before Arrow 0.15: the length alone).
    if (length === -1) {
      length = view.getInt32(at, true)
      at += 4
    }
    if (length <= 0) break // end of stream
    const bb = new ByteBuffer(bytes.subarray(at, at + length))
    const message = bb.readInt32(0)
    const headerType = fieldAt(bb, message, MESSAGE_HEADER_TYPE)
    const bodyLength = fieldAt(bb, message, MESSAGE_BODY_LENGTH)
    if (headerType !== 0 && bb.readUint8(headerType) === HEADER_RECORD_BATCH) {
      const batch = bb.__indirect(fieldAt(bb, message, MESSAGE_HEADER))
      const batchLength = fieldAt(bb, batch, RECORD_BATCH_LENGTH)
      if (batchLength !== 0) rows += Number(bb.readInt64(batchLength))
    }
    at += length + (bodyLength === 0 ? 0 : Number(bb.readInt64(bodyLength)))
  }
  return rows
}
