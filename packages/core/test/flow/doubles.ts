import { Effect, Stream } from "effect"
import { ServerError, videoFields } from "../../src/internal.js"
import type { ChangedValues, Video, BoundSink, RawResponse, Checkpoint, CheckpointStore, ProgressListener, Source, SourcePage, SinkBatch, SinkWriter, StreamContext } from "../../src/internal.js"

/** A shared, ordered record of what sinks and stores did, to check commit ordering. */
export type EventLog = Array<string>

export type FakeVideo = Video

/** A complete video record (every field present) with the given id; `like_count` = id. */
export const fakeVideo = (id: number): Video => {
  const base = Object.fromEntries(videoFields.map((field) => [field, null])) as unknown as Video
  return { ...base, id: String(id), like_count: id }
}

export interface SourceFaults {
  /** Die (as a crash would) when about to deliver this page index. */
  readonly crashAtPage?: number | undefined
  /** Fail with a typed source error (as an API refusal would) when about to deliver this page. */
  readonly failAtPage?: number | undefined
  /** Call this when delivering this page index (e.g. to abort). */
  readonly onPage?: ((index: number) => void) | undefined
  /** Runs before delivering each page (e.g. to block until a test lets it through). */
  readonly beforePage?: ((index: number) => Effect.Effect<void>) | undefined
  /** Report this many retry events per page. */
  readonly retriesPerPage?: number | undefined
  /** The raw responses page `index` says it was made of (`SourcePage.responses`). */
  readonly responsesOf?: ((index: number) => ReadonlyArray<RawResponse>) | undefined
}

/** An in-memory source: state = index of the next page. */
export const memorySource = (pages: ReadonlyArray<ReadonlyArray<FakeVideo>>, faults: SourceFaults = {}): Source<"video"> => ({
  kind: "video",
  stream: "videos",
  harvestId: "memory-harvest",
  pages: (options?: { readonly resumeFrom?: unknown; readonly onProgress?: ProgressListener }) => {
    const start = typeof options?.resumeFrom === "number" ? options.resumeFrom : 0
    return Stream.fromIterable(pages.map((records, index) => ({ records, index })).slice(start)).pipe(
      Stream.rechunk(1),
      Stream.mapEffect(({ records, index }) =>
        Effect.gen(function*() {
          if (faults.beforePage !== undefined) yield* faults.beforePage(index)
          if (faults.crashAtPage === index) return yield* Effect.die(new Error(`crash at page ${index}`))
          if (faults.failAtPage === index) {
            return yield* new ServerError({ endpoint: "memory", status: 500, code: "internal_error", message: `failed at page ${index}` })
          }
          for (let i = 0; i < (faults.retriesPerPage ?? 0); i++) {
            options?.onProgress?.({ type: "retry", endpoint: "memory", kind: "ServerError", attempt: i + 1, delayMs: 0 })
          }
          faults.onPage?.(index)
          // Fresh objects, as a real source decodes them: the runner stamps provenance on them in place.
          return {
            records: records.map((record) => ({ ...record })) as unknown as ReadonlyArray<never>,
            state: index + 1,
            responses: faults.responsesOf?.(index)
          } satisfies SourcePage<never>
        })
      )
    )
  }
})

/**
 * An in-memory sink with the durability rules of a real one: writes are pending until a flush
 * makes them durable; `resume` discards durable data of later epochs (lazily); closing or
 * crashing loses pending writes. Optionally stores checkpoints with its data (transactional).
 */
export class MemorySink {
  durable: Array<{ epoch: number; records: ReadonlyArray<unknown> }> = []
  checkpoint: Checkpoint | undefined
  /** The checkpoints a transactional sink saved that its data still stands for (see `rollBack`). */
  lineage: ReadonlyArray<Checkpoint> = []
  failFlushAt: number | undefined
  /** The write numbered `write` (counting from 1 over the sink's life, see `writes`) fails: by rejecting, or by throwing before it returns a promise. */
  failWriteAt: { readonly write: number; readonly how: "reject" | "throw" } | undefined
  /** Writes the runner called so far. */
  writes = 0
  /** Awaited by the write numbered `write` before it takes the batch (e.g. a slow disk). */
  beforeWrite: ((write: number) => Promise<void> | undefined) | undefined
  /** Declares `writesDuringFlush` (a pipelined sink). */
  pipelined = false
  /** Logs `write:<name>:<epoch>`, `flush-start:<name>:<epoch>` and `close:<name>` too. */
  traced = false
  /** Awaited by each flush before it makes anything durable (e.g. to let the next epoch's writes in). */
  beforeFlush: ((epoch: number) => Promise<void>) | undefined
  /** What each write says it stored changed (its resolved value), if anything. */
  changesOf: ((records: ReadonlyArray<unknown>) => ReadonlyArray<ChangedValues> | undefined) | undefined
  /** What the runner did that the contract forbids (a write past the next epoch, a step during a flush…). */
  readonly violations: Array<string> = []
  private flushes = 0

  constructor(readonly name: string, readonly log: EventLog, readonly transactional = false) {}

  /**
   * The sink's data and checkpoint as they were `back` checkpoints ago (an older database file
   * restored), or without either when it has no checkpoint that old (the file lost).
   */
  rollBack(back: number): void {
    const restored = this.lineage.at(-1 - back)
    this.checkpoint = restored
    this.lineage = restored === undefined ? [] : this.lineage.slice(0, this.lineage.length - back)
    this.durable = this.durable.filter((batch) => batch.epoch <= (restored?.epoch ?? 0))
  }

  /** The durable records without the provenance the runner stamps (see `stampedRecords`). */
  records(): Array<unknown> {
    return this.stampedRecords().map((record) => {
      if (record === null || typeof record !== "object" || !("_harvest_id" in record)) return record
      const { _harvest_id, _fetched_at, _log_id, ...rest } = record as Record<string, unknown>
      return rest
    })
  }

  /** The durable records as the runner delivered them, provenance included. */
  stampedRecords(): Array<unknown> {
    return this.durable.flatMap((batch) => batch.records)
  }

  bound(): BoundSink {
    return {
      name: this.name,
      open: async (context: StreamContext): Promise<SinkWriter> => {
        const resumeEpoch = context.resume?.epoch ?? 0
        // Discard lazily, at the first write or flush, as the built-in sinks do: the runner may
        // reopen at a lower epoch once it has read every sink's checkpoint store.
        let prepared = false
        const prepare = () => {
          if (prepared) return
          prepared = true
          this.durable = this.durable.filter((batch) => batch.epoch <= resumeEpoch)
        }
        this.log.push(`open:${this.name}:${context.resume?.epoch ?? "-"}`)
        let pending: Array<{ epoch: number; records: ReadonlyArray<unknown> }> = []
        const checkpoints: CheckpointStore | undefined = this.transactional
          ? {
            name: `${this.name}-checkpoints`,
            load: async () => this.checkpoint,
            save: async (checkpoint) => {
              this.checkpoint = checkpoint
            },
            clear: async () => {
              this.checkpoint = undefined
            }
          }
          : undefined
        /** The epoch whose flush runs, if one does. */
        let flushing: number | undefined
        const trace = (event: string) => this.traced && this.log.push(`${event}:${this.name}`)
        /** Writes started and not yet ended: a close meanwhile breaks the contract. */
        let writing = 0
        const write = async (batch: SinkBatch, n: number) => {
          writing++
          try {
            await this.beforeWrite?.(n)
          } finally {
            writing--
          }
          prepare()
          trace(`write:${batch.epoch}`)
          if (flushing !== undefined && (!this.pipelined || batch.epoch !== flushing + 1)) {
            this.violations.push(`write of epoch ${batch.epoch} during the flush of ${flushing}`)
          }
          pending.push({ epoch: batch.epoch, records: [...batch.records] })
          return this.changesOf?.(batch.records)
        }
        return {
          checkpoints,
          writesDuringFlush: this.pipelined,
          write: (batch) => {
            this.writes++
            if (this.failWriteAt?.write === this.writes) {
              if (this.failWriteAt.how === "throw") throw new Error("disk full")
              return Promise.reject(new Error("disk full"))
            }
            return write(batch, this.writes)
          },
          flush: async (commit) => {
            prepare()
            trace(`flush-start:${commit.epoch}`)
            if (flushing !== undefined) this.violations.push(`flush of epoch ${commit.epoch} during the flush of ${flushing}`)
            flushing = commit.epoch
            try {
              this.flushes++
              await this.beforeFlush?.(commit.epoch)
              if (this.failFlushAt === this.flushes) throw new Error("disk full")
              // Only what this flush covers: writes of the next epoch that came meanwhile stay pending.
              this.durable.push(...pending.filter((batch) => batch.epoch <= commit.epoch))
              pending = pending.filter((batch) => batch.epoch > commit.epoch)
              if (this.transactional) {
                this.checkpoint = commit.checkpoint
                this.lineage = lineageWith(this.lineage, commit.checkpoint)
              }
              this.log.push(`flush:${this.name}:${commit.epoch}`)
            } finally {
              flushing = undefined
            }
          },
          close: async () => {
            trace("close")
            if (writing > 0) this.violations.push("close during a write")
            if (flushing !== undefined) this.violations.push(`close during the flush of ${flushing}`)
            pending = []
          }
        }
      }
    }
  }
}

/** A store's checkpoints after saving `checkpoint`: those of later epochs were discarded by a resume below them. */
const lineageWith = (lineage: ReadonlyArray<Checkpoint>, checkpoint: Checkpoint): ReadonlyArray<Checkpoint> =>
  [...lineage.filter((earlier) => earlier.epoch < checkpoint.epoch), checkpoint]

export class MemoryCheckpointStore implements CheckpointStore {
  readonly name = "memory-checkpoints"
  saved: Checkpoint | undefined
  /** The checkpoints saved that the stored data still stands for (see `rollBack`). */
  lineage: ReadonlyArray<Checkpoint> = []
  failSaveAt: number | undefined
  /** The save numbered so stores its checkpoint, then fails: the process died right after the save. */
  dieAfterSaveAt: number | undefined
  private saves = 0

  constructor(readonly log: EventLog) {}

  async load(): Promise<Checkpoint | undefined> {
    return this.saved
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    this.saves++
    if (this.failSaveAt === this.saves) throw new Error("store unavailable")
    this.saved = checkpoint
    this.lineage = lineageWith(this.lineage, checkpoint)
    this.log.push(`save:${checkpoint.epoch}`)
    if (this.dieAfterSaveAt === this.saves) throw new Error("killed after the save")
  }

  async clear(): Promise<void> {
    this.saved = undefined
  }

  /** The checkpoint saved `back` saves ago (an older file restored), or none when there is none that old (the file lost). */
  rollBack(back: number): void {
    this.saved = this.lineage.at(-1 - back)
    this.lineage = this.saved === undefined ? [] : this.lineage.slice(0, this.lineage.length - back)
  }
}
