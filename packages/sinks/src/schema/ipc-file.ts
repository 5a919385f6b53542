import { Builder } from "flatbuffers"
import type { ColumnBatch } from "./column-batch.js"
import type { Column } from "./columns.js"
import { batchMessages, END_OF_STREAM_LENGTH, metadataSize, METADATA_V5, schemaTable, writeMessage } from "./ipc-stream.js"

// The Arrow IPC file format (`.arrow`, Feather v2) written from our column buffers, so the Arrow IPC
// sink loads no apache-arrow: `ARROW1` and two bytes of padding, the record batch messages of the
// stream format (the schema is only in the footer, as apache-arrow's file writer does), the
// end-of-stream marker, the Footer flatbuffer (schema, a Block per batch), its length, `ARROW1`.
// Byte-identical to `tableToIPC(new Table(batches), "file")` (a property in ipc-stream.test.ts).

/** `ARROW1`, the IPC file format's leading and trailing magic. */
export const ARROW_MAGIC = new TextEncoder().encode("ARROW1")
/** The magic and two bytes of padding before a file's first message. */
export const FILE_HEAD_LENGTH = 8

/** Where a record batch message is in the file: the Footer's Block. */
interface Block {
  readonly offset: number
  readonly metadataLength: number
  readonly bodyLength: number
}

/** The Footer flatbuffer, built in apache-arrow's order (`Footer.encode`). */
const footer = (kind: string, columns: ReadonlyArray<Column>, blocks: ReadonlyArray<Block>): Uint8Array => {
  const b = new Builder()
  const schema = schemaTable(b, kind, columns)
  b.startVector(24, blocks.length, 8)
  for (let i = blocks.length - 1; i >= 0; i--) {
    // struct Block { offset: long; metaDataLength: int; bodyLength: long }
    b.prep(8, 24)
    b.writeInt64(BigInt(blocks[i].bodyLength))
    b.pad(4)
    b.writeInt32(blocks[i].metadataLength)
    b.writeInt64(BigInt(blocks[i].offset))
  }
  const recordBatches = b.endVector()
  b.startVector(24, 0, 8)
  const dictionaries = b.endVector()
  b.startObject(5)
  b.addFieldOffset(1, schema, 0)
  b.addFieldInt16(0, METADATA_V5, 0)
  b.addFieldOffset(3, recordBatches, 0)
  b.addFieldOffset(2, dictionaries, 0)
  b.finish(b.endObject())
  return b.asUint8Array()
}

/**
 * The Arrow IPC file of `batches` (of one kind and columns, at least one), with the
 * `tikflow.record_kind` and `tikflow.encoding` metadata of `arrowSchemaFor`, in one buffer.
 */
export const ipcFile = (kind: string, columns: ReadonlyArray<Column>, batches: ReadonlyArray<ColumnBatch>): Uint8Array => {
  const messages = batchMessages(columns, batches)
  const blocks: Array<Block> = []
  let at = FILE_HEAD_LENGTH
  for (const m of messages) {
    blocks.push({ offset: at, metadataLength: metadataSize(m), bodyLength: m.bodyLength })
    at += metadataSize(m) + m.bodyLength
  }
  const footerBytes = footer(kind, columns, blocks)
  // Zero-filled: the padding is zeros.
  const out = new Uint8Array(at + END_OF_STREAM_LENGTH + footerBytes.byteLength + 4 + ARROW_MAGIC.byteLength)
  const view = new DataView(out.buffer)
  out.set(ARROW_MAGIC, 0)
  at = FILE_HEAD_LENGTH
  for (const m of messages) at = writeMessage(out, view, at, m)
  view.setInt32(at, -1, true) // end-of-stream, for readers that read the file as a stream
  at += END_OF_STREAM_LENGTH
  out.set(footerBytes, at)
  at += footerBytes.byteLength
  view.setInt32(at, footerBytes.byteLength, true)
  out.set(ARROW_MAGIC, at + 4)
  return out
}
