import type { AnyRecord, AtomicWriteOptions, ChangeTally, SinkBatch, SinkCommit, SinkContext, SinkWriter } from "@tikflow/core/internal"
import { changeTally, provisionalDayOf, writeFileAtomic } from "@tikflow/core/internal"
import { join } from "node:path"
import type { ColumnBatch, ColumnBatchBuilder } from "../schema/column-batch.js"
import { columnBatchBuilder } from "../schema/column-batch.js"
import { discardUnacknowledgedParts, harvestTag, partFileName, removeReplacedParts, replacedParts } from "./part-files.js"
import type { PartitionColumn } from "./partitioning.js"
import { partitionerFor } from "./partitioning.js"

/** One part file being encoded as its batches arrive. */
export interface PartStream {
  /**
   * A promise when the encoder is behind (e.g. a thread's queue is full): the writer waits for it, so
   * memory stays bounded. `batch` holds views of the writer's column buffers, lent until `write`
   * returns: a stream copies what it keeps (the Parquet encoder writes it into its hand-over slot).
   */
  write(batch: ColumnBatch): void | Promise<void>
  /** No more batches: the complete file's bytes. */
  end(): Promise<ReadonlyArray<Uint8Array>>
}

/** Turns buffered batches into one complete file's bytes (a Parquet file, an Arrow IPC file, …). */
export interface PartEncoder {
  readonly extension: string
  /** The format's magic bytes, checked on disk before a part takes its name (and its epoch commits). */
  readonly magic: NonNullable<AtomicWriteOptions["magic"]>
  /** Optional: resolves once `encode`/`open` can be called (e.g. a wasm module still loading). */
  ready?(): Promise<void>
  encode(batches: ReadonlyArray<ColumnBatch>): ReadonlyArray<Uint8Array> | Promise<ReadonlyArray<Uint8Array>>
  /**
   * Optional: encodes a part batch by batch, so the encoding runs while the harvest waits on the
   * network instead of all at flush, and no batches are held for the part.
   */
  open?(): PartStream
  /** Optional: the rows a part file on disk holds (its footer's count), so replaceDays can say what it removes. */
  rowsIn?(file: string): Promise<number>
  /** Optional: releases what the encoder holds (e.g. its thread) when the writer closes, whether or not its last parts were written. */
  close?(): Promise<void>
}

export interface PartWriterOptions {
  /** The dataset root; parts go to `<root>/<stream>/[<partition>/]part-….<ext>`. */
  readonly root: string
  readonly partition: PartitionColumn | undefined
  /** Rows buffered before a part is written: the bound on memory. */
  readonly partRows: number
  readonly encoder: PartEncoder
}

interface Pending {
  readonly partition: string
  /** A provisional day: its rows go to a part of their own, which a later run fetching the day again removes. */
  readonly day: string | undefined
  batches: Array<ColumnBatch>
  stream: PartStream | undefined
  // Rows appended to Arrow buffers as their pages arrive (~100 records at a time), handed over
  // STAGE_ROWS at a time: IPC and Parquet encoding cost 2–10× more per row on many small batches
  // than on a few large ones.
  staged: ColumnBatchBuilder
  rows: number
}

/** An epoch's parts, taken from the writer to be written (by its flush, or as the buffer filled). */
interface Sealed {
  readonly epoch: number
  readonly entries: ReadonlyArray<Pending>
}

/** Rows per Arrow batch handed to the encoder. */
const STAGE_ROWS = 8_192

/**
 * A writer that buffers up to `partRows` rows (over all partitions), converted to Arrow
 * {@link STAGE_ROWS} at a time, then writes each partition's rows as one complete part file, atomically. Parts never mix epochs, so a resumed run can drop
 * exactly the unacknowledged ones. Rows of provisional days (`context.provisional`) go to a part per
 * day, so a later run fetching a day again replaces it by deleting its earlier parts after writing
 * the new ones.
 */
export const openPartWriter = async (context: SinkContext<unknown>, options: PartWriterOptions): Promise<SinkWriter> => {
  const streamDir = join(options.root, context.stream)
  const tag = harvestTag(context.harvestId)
  const partitionOf = options.partition === undefined ? undefined : partitionerFor(options.partition, context.recordKind)
  // Set by the `discardUncommitted` hook (contract 2: the registry calls it before the first
  // write or flush, never in `open`): parts are numbered after the highest one kept.
  let seq: number | undefined
  const nextSeq = (): number => {
    if (seq === undefined) throw new Error(`${streamDir}: discardUncommitted must run before the first part is written`)
    return seq++
  }
  let pendingEpoch: number | undefined
  let pendingRows = 0
  const pending = new Map<string, Pending>()
  const provisional = context.provisional
  /** Days this run fetches again: their earlier parts go at the first flush, after the new parts are written. */
  /** The days fetched again and the parts of them the first flush removes, found once by `replaceDays`. */
  let replacing: { readonly days: ReadonlyArray<string>; readonly parts: ReadonlyArray<string> } | undefined

  const entryOf = (partition: string, day?: string): Pending => {
    const key = day === undefined ? partition : `${partition}\u0000${day}`
    let entry = pending.get(key)
    if (entry === undefined) pending.set(key, (entry = { partition, day, batches: [], stream: undefined, staged: newStage(), rows: 0 }))
    return entry
  }
  // A promise only when the encoder is behind: a page's write stays synchronous otherwise.
  const newStage = () => columnBatchBuilder(context.recordKind, context.addedFields, context.provenance)
  const convertStaged = (entry: Pending): void | Promise<void> => {
    if (entry.staged.rows === 0) return
    // A stream takes the rows as views, copied once where it keeps them; kept batches get buffers of their own.
    if (options.encoder.open === undefined) entry.batches.push(entry.staged.finish())
    else return (entry.stream ??= options.encoder.open()).write(entry.staged.take())
  }
  const addRecords = (changes: ChangeTally, partition: string, records: ReadonlyArray<AnyRecord>, day?: string): void | Promise<void> => {
    const entry = entryOf(partition, day)
    changes.add(entry.staged.append(records))
    entry.rows += records.length
    pendingRows += records.length
    if (entry.staged.rows >= STAGE_ROWS) return convertStaged(entry)
  }

  /** The open epoch's rows, taken whole: what a flush (or a full buffer) writes while the next epoch's rows gather anew. */
  const seal = (): Sealed | undefined => {
    if (pendingEpoch === undefined || pendingRows === 0) return undefined
    const sealed: Sealed = { epoch: pendingEpoch, entries: [...pending.values()] }
    pending.clear()
    pendingRows = 0
    pendingEpoch = undefined
    return sealed
  }
  const writeParts = async (sealed: Sealed | undefined) => {
    if (sealed === undefined) return
    if (options.encoder.ready !== undefined) await options.encoder.ready()
    for (const entry of sealed.entries) {
      await convertStaged(entry)
      const file = join(streamDir, entry.partition, partFileName(tag, sealed.epoch, nextSeq(), options.encoder.extension, entry.day))
      // A failed encoding fails here, before the part is written: no part without all its rows.
      const bytes = entry.stream === undefined ? await options.encoder.encode(entry.batches) : await entry.stream.end()
      await writeFileAtomic(file, bytes, { magic: options.encoder.magic })
    }
  }
  // The flush in flight (`writesDuringFlush`): the next epoch's rows gather meanwhile, but a write
  // called during it writes no part (its rows wait for the first write after it, or their own
  // flush), and none is written once a flush failed.
  let flushing: Promise<void> | undefined
  let failed: unknown
  const writePending = async () => {
    const sealed = seal()
    if (failed !== undefined) throw failed
    await writeParts(sealed)
  }
  /** Before a write's rows are added: a buffer already full while a flush runs waits for it (memory stays bounded). */
  const roomFor = async () => {
    if (flushing !== undefined && pendingRows >= options.partRows) await flushing
    if (failed !== undefined) throw failed
  }
  const finishEpoch = async () => {
    // Parts are written whole (every byte, size and magic checked), fsynced and renamed as they
    // are written, so writing what is pending is enough: a part that fails fails the flush.
    await writePending()
    if (replacing !== undefined) {
      // After the new parts are durable; a crash before the checkpoint resumes at `through`,
      // drops the new parts as unacknowledged and calls replaceDays again (nothing left to remove).
      const removed = await removeReplacedParts(replacing.parts)
      if (removed > 0) context.logger.info(`${context.stream}: ${removed} part file(s) of ${replacing.days.length} day(s) fetched again replaced`)
      replacing = undefined
    }
  }

  return {
    // Flush N finishes epoch N's parts (encoded in the encoder's thread for Parquet; written,
    // fsynced, renamed) while epoch N+1's writes open parts of their own.
    writesDuringFlush: true,
    async discardUncommitted(resume) {
      const { removed, maxSeq } = await discardUnacknowledgedParts(streamDir, tag, resume?.epoch)
      seq = maxSeq + 1
      if (removed > 0) context.logger.info(`${context.stream}: removed ${removed} unacknowledged part file(s) from ${streamDir}`)
    },
    async write(batch: SinkBatch) {
      // A write called while a flush runs writes no part, even past part_rows (the next write or
      // the flush does), so output read once the flush resolved holds exactly the flushed epochs.
      const besideFlush = flushing !== undefined
      if (batch.records.length === 0) return
      if (options.encoder.ready !== undefined) await options.encoder.ready()
      await roomFor()
      if (pendingEpoch !== undefined && batch.epoch !== pendingEpoch) await writePending()
      pendingEpoch = batch.epoch
      const provisionalRows = provisional !== undefined && batch.records.some((record) => provisionalDayOf(record, provisional) !== undefined)
      // What this page's rows stored changed, counted by the run once its epoch commits.
      const changes = changeTally()
      if (partitionOf === undefined && !provisionalRows) await addRecords(changes, "", batch.records)
      else {
        const groups = new Map<string, { partition: string; day: string | undefined; records: Array<AnyRecord> }>()
        for (const record of batch.records) {
          const partition = partitionOf === undefined ? "" : partitionOf(record)
          const day = provisionalRows ? provisionalDayOf(record, provisional) : undefined
          const key = day === undefined ? partition : `${partition}\u0000${day}`
          const group = groups.get(key)
          if (group === undefined) groups.set(key, { partition, day, records: [record] })
          else group.records.push(record)
        }
        for (const group of groups.values()) await addRecords(changes, group.partition, group.records, group.day)
      }
      if (pendingRows >= options.partRows && !besideFlush) await writePending()
      return changes.take()
    },
    async replaceDays(replace) {
      // The parts the first flush removes are already known (the new ones are of later epochs):
      // their rows are what this replaces. Rows of those days in ordinary parts (an older tikflow's)
      // stay, and the run reports them from this count.
      const parts = await replacedParts(streamDir, tag, new Set(replace.days), replace.through)
      replacing = { days: replace.days, parts }
      const rowsIn = options.encoder.rowsIn
      if (rowsIn === undefined) return undefined
      let rows = 0
      for (const part of parts) rows += await rowsIn(part)
      return rows
    },
    async flush(_commit: SinkCommit) {
      const finished = finishEpoch()
      // Cleared (and a failure kept) before a write waiting for it resumes.
      flushing = finished.then(
        () => void (flushing = undefined),
        (error: unknown) => {
          failed ??= error
          flushing = undefined
        }
      )
      await finished
    },
    async close() {
      try {
        // After a failed flush the rows still held are of epochs never to be committed: not
        // written, and close reports that failure again.
        await writePending()
      } finally {
        await options.encoder.close?.()
      }
    }
  }
}
