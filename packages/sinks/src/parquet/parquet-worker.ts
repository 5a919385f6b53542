import { Worker } from "node:worker_threads"
import { oneLine } from "@tikflow/core/internal"
import type { ColumnBatch } from "../schema/column-batch.js"
import { assertPartShape } from "../schema/column-batch.js"
import type { IpcStreamBytes } from "../schema/ipc-stream.js"
import { ipcStreamBytes } from "../schema/ipc-stream.js"
import type { ParquetCompression } from "./parquet-sink.js"

/** How a part file is written (parquet-wasm's writer properties beyond tikflow's fixed ones). */
export interface ParquetProperties {
  readonly compression: ParquetCompression
  readonly rowGroupRows: number
}

// The protocol between the main thread and the encoder thread (parquet-worker-thread.ts): a request
// carries an id, the thread answers it once with a reply of that id. Reply 0 says parquet-wasm loaded.

/** Main thread → encoder thread. */
export type ParquetRequest =
  /**
   * A part's next batch: an Arrow IPC stream in `slot`'s first `length` bytes; the first batch of a
   * part carries its properties. Answered once the part's writer has copied it into parquet-wasm's
   * memory, when the slot is free again. Slots are reused, so the thread allocates nothing per batch
   * (a fresh buffer per batch would stay in the thread's heap until its rare GC: ~30 MB at 0.5M rows).
   */
  | {
    readonly op: "write"
    readonly id: number
    readonly part: number
    readonly slot: SharedArrayBuffer
    readonly length: number
    readonly properties?: ParquetProperties
  }
  /** No more batches: answered with the part's complete file bytes (transferred). */
  | { readonly op: "end"; readonly id: number; readonly part: number }
  /** The rows a Parquet file holds (its footer's count). */
  | { readonly op: "rows"; readonly id: number; readonly file: string }

/** Encoder thread → main thread. */
export interface ParquetReply {
  readonly id: number
  readonly error?: string
  readonly chunks?: ReadonlyArray<Uint8Array>
  readonly rows?: number
}

/** One Parquet file encoded off the main thread, batch by batch. */
export interface ParquetPart {
  /**
   * Hands a batch to the encoder thread (as Arrow IPC, written from the batch's buffers straight
   * into a reused shared slot, before `write` returns: the batch may be a builder's views):
   * `undefined` at once while fewer than {@link MAX_WAITING_BATCHES} batches wait for the thread,
   * else a promise of the hand-over once one is taken, so memory stays bounded when the thread is
   * behind. Fails once the thread has failed.
   */
  write(batch: ColumnBatch): Promise<void> | undefined
  /** No more batches: the complete file's bytes, or the failure of any of its batches. */
  end(): Promise<ReadonlyArray<Uint8Array>>
}

/** A hold on the process's Parquet encoder thread (parquet-wasm in a worker thread). */
export interface ParquetEncoderThread {
  /** Resolves once parquet-wasm has loaded in the thread; rejects with its failure, or the thread's once it has failed. */
  ready(): Promise<void>
  open(properties: ParquetProperties): ParquetPart
  /** The rows a Parquet file on disk holds (its footer's count, read in the thread). */
  rowsIn(file: string): Promise<number>
  /** Releases this hold; the thread is terminated when the last one is released. */
  close(): Promise<void>
}

/**
 * Batches (of every part) handed over and not yet taken by the thread's writers, past which `write`
 * waits: one is enough to keep the thread busy (a batch takes the main thread ~5× longer to build
 * than the thread to encode), and bounds the batches in flight to one waiting and one encoding.
 */
export const MAX_WAITING_BATCHES = 1

/**
 * The thread's module, next to this one in the package (so it resolves wherever the package is
 * installed). Run from the TypeScript sources (vitest), the build's copy: Node runs no `.ts` in a thread.
 */
const workerUrl = (): URL => {
  const entry = new URL("./parquet-worker-thread.js", import.meta.url)
  return import.meta.url.endsWith(".ts") ? new URL(entry.href.replace(/\/src\/(parquet\/[^/]+)$/, "/dist/$1")) : entry
}

/** A request as its sender writes it: the thread handle numbers it. */
type Unnumbered<R> = R extends ParquetRequest ? Omit<R, "id"> : never

interface Thread {
  readonly ready: Promise<void>
  readonly request: (message: Unnumbered<Exclude<ParquetRequest, { op: "write" }>>) => Promise<ParquetReply>
  /**
   * Hands a part's batch over in order, once fewer than {@link MAX_WAITING_BATCHES} batches wait to
   * be taken: `undefined` when at once, else a promise of the hand-over. Its failure (the thread's)
   * goes to `failed`.
   */
  readonly hand: (part: number, ipc: IpcStreamBytes, properties: ParquetProperties | undefined, failed: (error: Error) => void) => Promise<void> | undefined
  readonly failure: () => Error | undefined
  readonly terminate: () => Promise<void>
  nextPart: number
  holders: number
}

// One encoder thread per process, shared by its holders (every Parquet sink of a run, and any other
// user): each thread is a V8 isolate and a parquet-wasm instance.
let shared: Thread | undefined

interface Outstanding {
  readonly resolve: (reply: ParquetReply) => void
  readonly reject: (error: Error) => void
  /** A write's slot, free again once it is answered. */
  readonly slot?: SharedArrayBuffer
}

interface Handover {
  readonly post: () => void
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/**
 * Free shared buffers for batches, reused: at most one per batch that may wait, the one being
 * taken, and one written and queued for its hand-over.
 */
const slotPool = () => {
  let free: Array<SharedArrayBuffer> = []
  return {
    take(length: number): SharedArrayBuffer {
      const index = free.findIndex((slot) => slot.byteLength >= length)
      if (index >= 0) return free.splice(index, 1)[0]
      // A quarter over the batch, so batches a little larger reuse it; a smaller free slot is dropped.
      free.shift()
      return new SharedArrayBuffer(Math.ceil(length * 1.25))
    },
    give: (slot: SharedArrayBuffer) => void free.push(slot),
    clear: () => void (free = [])
  }
}

/**
 * Starts the thread. It keeps the process alive only while parquet-wasm loads, a request is
 * outstanding or it is being terminated, so a run that never closes its sinks (a failed open
 * elsewhere) still exits.
 */
const startThread = (): Thread => {
  const worker = new Worker(workerUrl())
  const outstanding = new Map<number, Outstanding>()
  let nextId = 1
  let failure: Error | undefined
  let closing = false
  /** Writes handed over and not yet taken. */
  let untaken = 0
  /** Hand-overs waiting for room, in the order of their writes. */
  const queued: Array<Handover> = []
  const slots = slotPool()
  // Once terminating, the thread stays ref'd until its exit: terminate() refs it and waits for the exit,
  // and an answer still in flight (a write taken just before) would otherwise unref it again, leaving
  // that wait with nothing keeping the loop alive (a script awaiting close exited 13, unsettled await).
  const idle = () => void (closing || worker.unref())
  const send = (message: ParquetRequest, entry: Outstanding) => {
    if (outstanding.size === 0) worker.ref()
    outstanding.set(message.id, entry)
    worker.postMessage(message)
  }
  const settle = (reply: ParquetReply) => {
    const entry = outstanding.get(reply.id)
    if (entry === undefined) return
    outstanding.delete(reply.id)
    if (entry.slot !== undefined) {
      slots.give(entry.slot)
      untaken--
      while (untaken < MAX_WAITING_BATCHES && queued.length > 0) {
        const next = queued.shift()!
        next.post()
        next.resolve()
      }
    }
    if (outstanding.size === 0) idle()
    if (reply.error === undefined) entry.resolve(reply)
    else entry.reject(new Error(oneLine(reply.error)))
  }
  const fail = (error: Error) => {
    failure ??= error
    if (shared === thread) shared = undefined
    for (const entry of outstanding.values()) entry.reject(failure)
    outstanding.clear()
    for (const handover of queued.splice(0)) handover.reject(failure)
    slots.clear()
    idle()
  }
  const ready = new Promise<ParquetReply>((resolve, reject) => outstanding.set(0, { resolve, reject })).then(
    () => undefined,
    (error: Error) => {
      throw new Error(`parquet-wasm failed to load in the Parquet encoder thread: ${error.message}`)
    }
  )
  // A failure is reported by ready (and every request), not as an unhandled rejection.
  ready.catch(() => undefined)
  worker.on("message", settle)
  worker.on("error", (error) => fail(new Error(`the Parquet encoder thread failed: ${oneLine(error.message)}`)))
  worker.on("exit", (code) => fail(new Error(closing ? "the Parquet encoder thread was closed" : `the Parquet encoder thread exited (code ${code})`)))
  const thread: Thread = {
    ready,
    request: (message) =>
      failure !== undefined
        ? Promise.reject(failure)
        : new Promise<ParquetReply>((resolve, reject) => send({ ...message, id: nextId++ }, { resolve, reject })),
    hand(part, ipc, properties, failed) {
      if (failure !== undefined) return Promise.reject(failure)
      // Written now, whether posted now or queued: the batch's buffers are only lent until `write` returns.
      const slot = slots.take(ipc.byteLength)
      ipc.writeInto(new Uint8Array(slot, 0, ipc.byteLength))
      const post = () => {
        untaken++
        const message: ParquetRequest = { op: "write", id: nextId++, part, slot, length: ipc.byteLength, ...(properties === undefined ? {} : { properties }) }
        send(message, { resolve: () => undefined, reject: failed, slot })
      }
      if (untaken < MAX_WAITING_BATCHES && queued.length === 0) return void post()
      return new Promise<void>((resolve, reject) => void queued.push({ post, resolve, reject }))
    },
    failure: () => failure,
    terminate: async () => {
      closing = true
      await worker.terminate()
    },
    nextPart: 0,
    holders: 0
  }
  return thread
}

/** A hold on the process's Parquet encoder thread, started by the first hold: parquet-wasm off the main thread. */
export const parquetEncoderThread = (): ParquetEncoderThread => {
  const thread = (shared ??= startThread())
  thread.holders++
  let released = false
  return {
    ready: () => {
      const failure = thread.failure()
      return failure === undefined ? thread.ready : Promise.reject(failure)
    },
    open: (properties) => openPart(thread, thread.nextPart++, properties),
    rowsIn: async (file) => (await thread.request({ op: "rows", file })).rows ?? 0,
    async close() {
      if (released) return
      released = true
      if (--thread.holders > 0) return
      if (shared === thread) shared = undefined
      await thread.terminate()
    }
  }
}

const openPart = (thread: Thread, part: number, properties: ParquetProperties): ParquetPart => {
  /** The part's first batch: every later one must share its kind and columns (the file's one schema). */
  let shape: Pick<ColumnBatch, "kind" | "columns"> | undefined
  let failure: Error | undefined
  return {
    write(batch) {
      // Checked here, before the thread: a batch of another schema hangs parquet-wasm's transform (the part never ends).
      if (shape !== undefined) assertPartShape(shape, batch)
      // Serializing is the main thread's share; the thread copies it into parquet-wasm.
      const ipc = ipcStreamBytes(batch.kind, batch.columns, [batch])
      const handed = thread.hand(part, ipc, shape === undefined ? properties : undefined, (error) => void (failure ??= error))
      shape ??= { kind: batch.kind, columns: batch.columns }
      return handed
    },
    async end() {
      const reply = await thread.request({ op: "end", part })
      if (failure !== undefined) throw failure
      return reply.chunks ?? []
    }
  }
}

/** One complete Parquet file of `batches` (of one kind and columns), encoded in the encoder thread. */
export const encodeParquetOffThread = async (
  thread: ParquetEncoderThread,
  batches: ReadonlyArray<ColumnBatch>,
  properties: ParquetProperties
): Promise<ReadonlyArray<Uint8Array>> => {
  if (batches.length === 0) throw new Error("a part needs at least one batch")
  await thread.ready()
  const part = thread.open(properties)
  for (const batch of batches) await part.write(batch)
  return part.end()
}
