import type { BoundSink, SinkWriter, StreamContext } from "@tikflow/core/internal"
import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import { EpochPending } from "./epoch-pending.js"
import { type CollectedField, collectedValueOf } from "./id-collector.js"

/**
 * The id collector of a queued job (see `idCollector`): the values a later job reads go to the
 * coordinator, as one set per queue, so every worker reads the values of every worker's items.
 * Added at each flush, before the item's checkpoint: once every item is done, the set is whole; an
 * item re-run after a death only adds values already there. A flush adds only the epochs it
 * commits (`writesDuringFlush`: the next epoch's values gather meanwhile).
 */
export const queueCollector = (queue: PostgresWorkQueue, queueId: string, job: string, fields: ReadonlyArray<CollectedField>): BoundSink => ({
  name: `collector:${job}`,
  async open(context: StreamContext): Promise<SinkWriter> {
    const pending = new EpochPending<Map<CollectedField, Array<string>>>(() => new Map(fields.map((field) => [field, []])))
    return {
      writesDuringFlush: true,
      async write(batch) {
        const values = pending.of(batch.epoch)
        for (const record of batch.records) {
          for (const field of fields) {
            const value = collectedValueOf(record, field, context.recordKind)
            if (value !== null) values.get(field)!.push(value)
          }
        }
      },
      async flush(commit) {
        const taken = pending.takeThrough(commit.epoch)
        for (const field of fields) {
          await queue.addValues(queueId, field, [...new Set(taken.flatMap((epoch) => epoch.get(field)!))])
        }
      },
      async close() {}
    }
  }
})
