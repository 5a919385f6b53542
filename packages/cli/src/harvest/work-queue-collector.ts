import type { BoundSink, SinkWriter, StreamContext } from "@tikflow/core/internal"
import type { PostgresWorkQueue } from "@tikflow/sinks/internal"
import { type CollectedField, collectedValueOf } from "./id-collector.js"

/**
 * The id collector of a queued job (see `idCollector`): the values a later job reads go to the
 * coordinator, as one set per queue, so every worker reads the values of every worker's items.
 * Added at each flush, before the item's checkpoint: once every item is done, the set is whole; an
 * item re-run after a death only adds values already there.
 */
export const queueCollector = (queue: PostgresWorkQueue, queueId: string, job: string, fields: ReadonlyArray<CollectedField>): BoundSink => ({
  name: `collector:${job}`,
  async open(context: StreamContext): Promise<SinkWriter> {
    let pending = new Map<CollectedField, Array<string>>(fields.map((field) => [field, []]))
    return {
      async write(batch) {
        for (const record of batch.records) {
          for (const field of fields) {
            const value = collectedValueOf(record, field, context.recordKind)
            if (value !== null) pending.get(field)!.push(value)
          }
        }
      },
      async flush() {
        for (const [field, values] of pending) await queue.addValues(queueId, field, [...new Set(values)])
        pending = new Map(fields.map((field) => [field, []]))
      },
      async close() {}
    }
  }
})
