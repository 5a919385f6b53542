import type { AnyRecord, SinkBatch, SinkCommit, SinkContext, SinkWriter } from "@tikflow/core"
import type { RecordBatch } from "apache-arrow"
import { join } from "node:path"
import { toRecordBatch } from "../schema/record-batch.js"
import { writeFileAtomic } from "./atomic-file.js"
import { discardUnacknowledgedParts, harvestTag, partFileName } from "./part-files.js"
import type { PartitionColumn } from "./partitioning.js"
import { partitionerFor } from "./partitioning.js"

/** Turns buffered batches into one complete file's bytes (a Parquet file, an Arrow IPC file, …). */
export interface PartEncoder {
  readonly extension: string
  encode(batches: ReadonlyArray<RecordBatch>): ReadonlyArray<Uint8Array>
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
  batches: Array<RecordBatch>
  rows: number
}

/**
 * A writer that buffers up to `partRows` rows (over all partitions), then writes each partition's
 * rows as one complete part file, atomically. Parts never mix epochs, so a resumed run can drop
 * exactly the unacknowledged ones.
 */
export const openPartWriter = async (context: SinkContext<unknown>, options: PartWriterOptions): Promise<SinkWriter> => {
  const streamDir = join(options.root, context.stream)
  const tag = harvestTag(context.harvestId)
  const partitionOf = options.partition === undefined ? undefined : partitionerFor(options.partition, context.recordKind)
  // Unacknowledged parts are discarded lazily, before the first part is written or the first
  // flush: a runner may open a sink, learn a lower resume epoch from another sink's checkpoint
  // store, and reopen it — the first open must not have deleted anything yet.
  let seq = 0
  let prepared: Promise<void> | undefined
  const prepare = () =>
    (prepared ??= discardUnacknowledgedParts(streamDir, tag, context.resume?.epoch).then(({ removed, maxSeq }) => {
      seq = maxSeq + 1
      if (removed > 0) context.logger.info(`${context.stream}: removed ${removed} unacknowledged part file(s) from ${streamDir}`)
    }))
  let pendingEpoch: number | undefined
  let pendingRows = 0
  const pending = new Map<string, Pending>()

  const add = (partition: string, batch: RecordBatch) => {
    let entry = pending.get(partition)
    if (entry === undefined) pending.set(partition, (entry = { batches: [], rows: 0 }))
    entry.batches.push(batch)
    entry.rows += batch.numRows
    pendingRows += batch.numRows
  }

  const writePending = async () => {
    if (pendingEpoch === undefined || pendingRows === 0) return
    await prepare()
    const epoch = pendingEpoch
    for (const [partition, entry] of pending) {
      const file = join(streamDir, partition, partFileName(tag, epoch, seq++, options.encoder.extension))
      await writeFileAtomic(file, options.encoder.encode(entry.batches))
    }
    pending.clear()
    pendingRows = 0
  }

  return {
    async write(batch: SinkBatch) {
      if (batch.records.length === 0) return
      if (pendingEpoch !== undefined && batch.epoch !== pendingEpoch) await writePending()
      pendingEpoch = batch.epoch
      if (partitionOf === undefined) {
        add("", batch.arrow ?? toRecordBatch(context.recordKind, batch.records))
      } else {
        const groups = new Map<string, Array<AnyRecord>>()
        for (const record of batch.records) {
          const key = partitionOf(record)
          const group = groups.get(key)
          if (group === undefined) groups.set(key, [record])
          else group.push(record)
        }
        for (const [key, records] of groups) add(key, toRecordBatch(context.recordKind, records))
      }
      if (pendingRows >= options.partRows) await writePending()
    },
    async flush(_commit: SinkCommit) {
      // Parts are fsynced and renamed as they are written, so writing what is pending is enough.
      await prepare()
      await writePending()
    },
    async close() {
      await writePending()
    }
  }
}
