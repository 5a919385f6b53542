import { Builder } from "flatbuffers"
import type { ColumnBatch } from "./column-batch.js"
import type { ColumnData } from "./column-data.js"
import type { Column, ColumnType } from "./columns.js"

// The Arrow IPC stream format (schema message, record batch messages, end-of-stream) written from
// our column buffers, so the Parquet sink hands parquet-wasm its input without loading apache-arrow
// (146 modules, ~95 ms of CPU a run) or building its objects. The flatbuffers are written in the
// order apache-arrow's writer writes them, with the same builder: the bytes are identical to
// `tableToIPC(new Table(batches), "stream")` (a property in ipc-stream.test.ts checks it).
// https://arrow.apache.org/docs/format/Columnar.html#serialization-and-interprocess-communication-ipc

// Schema.fbs / Message.fbs enum values.
export const METADATA_V5 = 4
const HEADER_SCHEMA = 1
export const HEADER_RECORD_BATCH = 3
const TYPE_INT = 2
const TYPE_FLOATING_POINT = 3
const TYPE_UTF8 = 5
const TYPE_BOOL = 6
const TYPE_LIST = 12
const PRECISION_DOUBLE = 2
const ENDIANNESS_LITTLE = 0

const typeIdOf = (type: ColumnType): number =>
  type === "int64" ? TYPE_INT : type === "float64" ? TYPE_FLOATING_POINT : type === "bool" ? TYPE_BOOL : type === "list_utf8" ? TYPE_LIST : TYPE_UTF8

const offsetVector = (b: Builder, offsets: ReadonlyArray<number>): number => {
  b.startVector(4, offsets.length, 4)
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i])
  return b.endVector()
}

const keyValues = (b: Builder, entries: ReadonlyArray<readonly [string, string]>): number =>
  offsetVector(b, entries.map(([k, v]) => {
    const key = b.createString(k)
    const value = b.createString(v)
    b.startObject(2)
    b.addFieldOffset(0, key, 0)
    b.addFieldOffset(1, value, 0)
    return b.endObject()
  }))

/** The type table of a field (Int, FloatingPoint, or the empty Utf8, Bool, List tables). */
const typeTable = (b: Builder, type: ColumnType): number => {
  if (type === "int64") {
    b.startObject(2)
    b.addFieldInt32(0, 64, 0) // bitWidth
    b.addFieldInt8(1, 1, 0) // isSigned
  } else if (type === "float64") {
    b.startObject(1)
    b.addFieldInt16(0, PRECISION_DOUBLE, 0)
  } else {
    b.startObject(0)
  }
  return b.endObject()
}

const field = (b: Builder, name: string, type: ColumnType, nullable: boolean): number => {
  const typeOffset = typeTable(b, type)
  // A list's items: a nullable utf8 field named `item`.
  const children = offsetVector(b, type === "list_utf8" ? [field(b, "item", "utf8", true)] : [])
  // A field a transform added carries its encoding, so readers know to parse the text.
  const metadata = type === "json" ? keyValues(b, [["tikflow.encoding", "json"]]) : -1
  const nameOffset = name === "" ? -1 : b.createString(name)
  b.startObject(7)
  b.addFieldOffset(3, typeOffset, 0)
  b.addFieldInt8(2, typeIdOf(type), 0)
  b.addFieldOffset(5, children, 0)
  b.addFieldInt8(1, nullable ? 1 : 0, 0)
  if (nameOffset !== -1) b.addFieldOffset(0, nameOffset, 0)
  if (metadata !== -1) b.addFieldOffset(6, metadata, 0)
  return b.endObject()
}

/** The Schema table (also the IPC file footer's). */
export const schemaTable = (b: Builder, kind: string, columns: ReadonlyArray<Column>): number => {
  const fields = columns.map((column) => field(b, column.name, column.type, column.nullable))
  const fieldVector = offsetVector(b, fields)
  const metadata = keyValues(b, [["tikflow.record_kind", kind]])
  b.startObject(4)
  b.addFieldOffset(1, fieldVector, 0)
  b.addFieldInt16(0, ENDIANNESS_LITTLE, 0)
  b.addFieldOffset(2, metadata, 0)
  return b.endObject()
}

/** The buffers of a batch's columns in IPC order, with their field nodes (length, null count). */
interface Layout {
  readonly nodes: Array<ColumnData>
  readonly buffers: Array<Uint8Array>
}

const bytesOf = (array: Int32Array | Uint8Array | BigInt64Array | Float64Array): Uint8Array =>
  array instanceof Uint8Array ? array : new Uint8Array(array.buffer, array.byteOffset, array.byteLength)

const EMPTY = new Uint8Array(0)

const addColumn = (layout: Layout, type: ColumnType, column: ColumnData): void => {
  layout.nodes.push(column)
  // No validity bits without nulls: an empty buffer says every value is valid.
  layout.buffers.push(column.nullCount <= 0 ? EMPTY : column.nullBitmap)
  if (type === "list_utf8") {
    layout.buffers.push(bytesOf(column.valueOffsets!))
    addColumn(layout, "utf8", column.child!)
  } else if (type === "utf8" || type === "json") {
    layout.buffers.push(bytesOf(column.valueOffsets!), bytesOf(column.values!))
  } else {
    layout.buffers.push(bytesOf(column.values!))
  }
}

/** `length` rounded up to the IPC format's 8-byte alignment. */
export const padded = (length: number): number => (length + 7) & ~7

/** Where each buffer starts in the message body (each padded to 8 bytes), and the body's length. */
const bodyOffsets = (buffers: ReadonlyArray<Uint8Array>): { readonly offsets: Array<number>; readonly bodyLength: number } => {
  const offsets: Array<number> = []
  let bodyLength = 0
  for (const buffer of buffers) {
    offsets.push(bodyLength)
    bodyLength += padded(buffer.byteLength)
  }
  return { offsets, bodyLength }
}

const recordBatchTable = (b: Builder, length: number, layout: Layout, offsets: ReadonlyArray<number>): number => {
  b.startVector(16, layout.nodes.length, 8)
  for (let i = layout.nodes.length - 1; i >= 0; i--) {
    b.prep(8, 16)
    b.writeInt64(BigInt(layout.nodes[i].nullCount))
    b.writeInt64(BigInt(layout.nodes[i].length))
  }
  const nodes = b.endVector()
  b.startVector(16, layout.buffers.length, 8)
  for (let i = layout.buffers.length - 1; i >= 0; i--) {
    b.prep(8, 16)
    b.writeInt64(BigInt(padded(layout.buffers[i].byteLength)))
    b.writeInt64(BigInt(offsets[i]))
  }
  const buffers = b.endVector()
  b.startObject(5)
  b.addFieldInt64(0, BigInt(length), 0n)
  b.addFieldOffset(1, nodes, 0)
  b.addFieldOffset(2, buffers, 0)
  return b.endObject()
}

/** A Message flatbuffer holding `header`. */
const message = (headerType: number, bodyLength: number, header: (b: Builder) => number): Uint8Array => {
  const b = new Builder()
  const headerOffset = header(b)
  b.startObject(5)
  b.addFieldInt16(0, METADATA_V5, 0)
  b.addFieldOffset(2, headerOffset, 0)
  b.addFieldInt8(1, headerType, 0)
  b.addFieldInt64(3, BigInt(bodyLength), 0n)
  b.finish(b.endObject())
  return b.asUint8Array()
}

/** A message to write: its flatbuffer and its body's buffers (each padded to 8 bytes). */
export interface Encapsulated {
  readonly metadata: Uint8Array
  readonly body: ReadonlyArray<Uint8Array>
  readonly bodyLength: number
}

/** The bytes `writeMessage` writes for `m`'s continuation marker, length and padded flatbuffer. */
export const metadataSize = (m: Encapsulated): number => padded(8 + m.metadata.byteLength)

/**
 * Continuation marker, metadata length, the flatbuffer padded to 8, the body; returns the end.
 * Writes the padding's zeros too: `out` may be a reused buffer.
 */
export const writeMessage = (out: Uint8Array, view: DataView, at: number, m: Encapsulated): number => {
  const { metadata, body } = m
  const metadataLength = metadataSize(m) - 8
  view.setInt32(at, -1, true)
  view.setInt32(at + 4, metadataLength, true)
  out.set(metadata, at + 8)
  out.fill(0, at + 8 + metadata.byteLength, at + 8 + metadataLength)
  at += 8 + metadataLength
  for (const buffer of body) {
    out.set(buffer, at)
    out.fill(0, at + buffer.byteLength, at + padded(buffer.byteLength))
    at += padded(buffer.byteLength)
  }
  return at
}

/** A record batch message per batch (of `columns`). */
export const batchMessages = (columns: ReadonlyArray<Column>, batches: ReadonlyArray<ColumnBatch>): Array<Encapsulated> =>
  batches.map((batch) => {
    const layout: Layout = { nodes: [], buffers: [] }
    for (let i = 0; i < columns.length; i++) addColumn(layout, columns[i].type, batch.data[i])
    const { offsets, bodyLength } = bodyOffsets(layout.buffers)
    const metadata = message(HEADER_RECORD_BATCH, bodyLength, (b) => recordBatchTable(b, batch.length, layout, offsets))
    return { metadata, body: layout.buffers, bodyLength }
  })

/** The end-of-stream marker: a continuation marker and a zero length. */
export const END_OF_STREAM_LENGTH = 8

/** An Arrow IPC stream laid out, to be written into a buffer of `byteLength` bytes (fresh or reused). */
export interface IpcStreamBytes {
  readonly byteLength: number
  /** Writes the stream into `out`'s first `byteLength` bytes. */
  writeInto(out: Uint8Array): void
}

/**
 * The Arrow IPC stream of `batches` (of one kind and columns): the schema message (with the
 * `tikflow.record_kind` and `tikflow.encoding` metadata of `arrowSchemaFor`), a record batch message
 * per batch, end-of-stream (what parquet-wasm's `Table.fromIPCStream` reads), laid out but not yet
 * written: the batches' buffers are copied once, where `writeInto` is told.
 */
export const ipcStreamBytes = (kind: string, columns: ReadonlyArray<Column>, batches: ReadonlyArray<ColumnBatch>): IpcStreamBytes => {
  const messages: Array<Encapsulated> = [
    { metadata: message(HEADER_SCHEMA, 0, (b) => schemaTable(b, kind, columns)), body: [], bodyLength: 0 },
    ...batchMessages(columns, batches)
  ]
  let byteLength = END_OF_STREAM_LENGTH
  for (const m of messages) byteLength += metadataSize(m) + m.bodyLength
  return {
    byteLength,
    writeInto(out) {
      const view = new DataView(out.buffer, out.byteOffset, byteLength)
      let at = 0
      for (const m of messages) at = writeMessage(out, view, at, m)
      // End-of-stream: continuation marker, zero length.
      view.setInt32(at, -1, true)
      view.setInt32(at + 4, 0, true)
    }
  }
}

/** {@link ipcStreamBytes} written into one buffer of their own. */
export const ipcStream = (kind: string, columns: ReadonlyArray<Column>, batches: ReadonlyArray<ColumnBatch>): Uint8Array => {
  const stream = ipcStreamBytes(kind, columns, batches)
  const out = new Uint8Array(stream.byteLength)
  stream.writeInto(out)
  return out
}
