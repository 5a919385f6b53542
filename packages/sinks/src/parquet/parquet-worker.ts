import { Worker } from "node:worker_threads"
import type { ColumnBatch } from "../schema/column-batch.js"
import { ipcStream } from "../schema/ipc-stream.js"
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
  /** A part's next batch as an Arrow IPC stream (transferred); the first carries the part's properties. Answered once the part's writer takes it. */
  | { readonly op: "write"; readonly id: number; readonly part: number; readonly ipc: Uint8Array; readonly properties?: ParquetProperties }
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
   * Hands a batch to the encoder thread (as Arrow IPC, written here and transferred). Resolves at
   * once while fewer than {@link MAX_WAITING_BATCHES} batches wait for the thread, else once one is
   * taken: memory stays bounded when the thread is behind. Fails once the thread has failed.
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

/** Batches (of every part) handed over and not yet taken by the thread's writers, before `write` waits. */
export const MAX_WAITING_BATCHES = 2

/**
 * The thread's module, next to this one in the package (so it resolves wherever the package is
 * installed). Run from the TypeScript sources (vitest), the build's copy: Node runs no `.ts` in a thread.
 */
const workerUrl = (): URL => {
  const entry = new URL("./parquet-worker-thread.js", import.meta.url)
  return import.meta.url.endsWith(".ts") ? new URL(entry.href.replace(/\/src\/(parquet\/[^/]+)$/, "/dist/$1")) : entry
}

/** The error text of one line: a sink's failure is reported on one line. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

/** A request as its sender writes it: the thread handle numbers it. */
type Unnumbered<R> = R extends ParquetRequest ? Omit<R, "id"> : never

interface Thread {
  readonly ready: Promise<void>
  readonly request: (message: Unnumbered<ParquetRequest>, transfer?: ReadonlyArray<ArrayBuffer>) => Promise<ParquetReply>
  /** Writes handed over and not yet taken by the thread's writers. */
  readonly waitingBatches: () => number
  /** Resolves when a write is taken or the thread fails: `write`'s wait. */
  readonly taken: () => Promise<void>
  readonly failure: () => Error | undefined
  readonly terminate: () => Promise<void>
  nextPart: number
  holders: number
}

// One encoder thread per process, shared by its holders (every Parquet sink of a run, and any other
// user): each thread is a V8 isolate and a parquet-wasm instance, ~20–28 MB of RSS.
let shared: Thread | undefined

/**
 * Starts the thread. It keeps the process alive only while parquet-wasm loads or a request is
 * outstanding, so a run that never closes its sinks (a failed open elsewhere) still exits.
 */
const startThread = (): Thread => {
  const worker = new Worker(workerUrl())
  type Waiting = { readonly resolve: (reply: ParquetReply) => void; readonly reject: (error: Error) => void; readonly write: boolean }
  const pending = new Map<number, Waiting>()
  let nextId = 1
  let failure: Error | undefined
  let closing = false
  let waiting = 0
  let wakers: Array<() => void> = []
  const wake = () => {
    const woken = wakers
    wakers = []
    for (const resume of woken) resume()
  }
  const settle = (reply: ParquetReply) => {
    const entry = pending.get(reply.id)
    if (entry === undefined) return
    pending.delete(reply.id)
    if (pending.size === 0) worker.unref()
    if (entry.write) {
      waiting--
      wake()
    }
    if (reply.error === undefined) entry.resolve(reply)
    else entry.reject(new Error(oneLine(reply.error)))
  }
  const fail = (error: Error) => {
    failure ??= error
    if (shared === thread) shared = undefined
    for (const entry of pending.values()) entry.reject(failure)
    pending.clear()
    waiting = 0
    wake()
    worker.unref()
  }
  const ready = new Promise<ParquetReply>((resolve, reject) => pending.set(0, { resolve, reject, write: false })).then(
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
    request: (message, transfer = []) =>
      failure !== undefined ? Promise.reject(failure) : new Promise<ParquetReply>((resolve, reject) => {
        const id = nextId++
        if (pending.size === 0) worker.ref()
        const write = message.op === "write"
        pending.set(id, { resolve, reject, write })
        if (write) waiting++
        worker.postMessage({ ...message, id }, transfer as Array<ArrayBuffer>)
      }),
    waitingBatches: () => waiting,
    taken: () => (failure !== undefined ? Promise.resolve() : new Promise<void>((resolve) => wakers.push(resolve))),
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
  let first = true
  let failure: Error | undefined
  return {
    write(batch) {
      const threadFailure = thread.failure()
      if (threadFailure !== undefined) return Promise.reject(threadFailure)
      // Serializing is the main thread's share (~0.3 µs per record); the buffer is fresh, so transferred whole.
      const ipc = ipcStream(batch.kind, batch.columns, [batch])
      // A write's failure (the thread's) fails the part: its end reports it.
      thread.request({ op: "write", part, ipc, ...(first ? { properties } : {}) }, [ipc.buffer as ArrayBuffer])
        .catch((error: Error) => void (failure ??= error))
      first = false
      return thread.waitingBatches() < MAX_WAITING_BATCHES ? undefined : waitForRoom(thread)
    },
    async end() {
      const reply = await thread.request({ op: "end", part })
      if (failure !== undefined) throw failure
      return reply.chunks ?? []
    }
  }
}

const waitForRoom = async (thread: Thread): Promise<void> => {
  while (thread.waitingBatches() >= MAX_WAITING_BATCHES && thread.failure() === undefined) await thread.taken()
  const failure = thread.failure()
  if (failure !== undefined) throw failure
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
