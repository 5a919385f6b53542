import type { BoundSink, SinkBatch, SinkPlugin, SinkTarget, SinkWriter, StreamContext } from "@tikflow/core"
import { ConfigError, SinkError } from "@tikflow/core"
import { displayName } from "./sink-uri.js"

/**
 * Built-in sinks that read neither `arrowSchema` nor Arrow batches: opening one does not load
 * Apache Arrow (seconds of startup a run writing NDJSON should not pay).
 */
const arrowFree = new WeakSet<object>()
export const withoutArrow = <P extends SinkPlugin<any>>(plugin: P): P => {
  arrowFree.add(plugin)
  return plugin
}

/** The Arrow schema of a record kind and the records → RecordBatch converter, loaded on first use. */
const loadArrow = async () => {
  const [{ arrowSchemaFor }, { toRecordBatch }] = await Promise.all([import("../schema/arrow-schema.js"), import("../schema/record-batch.js")])
  return { arrowSchemaFor, toRecordBatch }
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** Runs a writer step, turning any failure into a `SinkError` that names the sink and the step. */
const guard = async <A>(sink: string, operation: SinkError["operation"], run: () => Promise<A>): Promise<A> => {
  try {
    return await run()
  } catch (cause) {
    if (cause instanceof SinkError) throw cause
    throw new SinkError({ sink, operation, message: `${sink}: ${operation} failed: ${messageOf(cause)}`, cause })
  }
}

/**
 * Validates the target's config with the plugin's validator (now, so bad config fails before any
 * harvesting) and returns what the runner opens once per stream. The writers it opens add Arrow
 * batches for plugins that asked for them and report failures as `SinkError`s.
 */
export const bindSink = (plugin: SinkPlugin<unknown>, target: SinkTarget): BoundSink => {
  const name = displayName(target)
  let config: unknown
  try {
    config = plugin.config.parse(target)
  } catch (cause) {
    const message = messageOf(cause)
    const colon = message.indexOf(": ")
    throw new ConfigError({
      field: colon > 0 ? `${name} ${message.slice(0, colon)}` : name,
      expected: colon > 0 ? message.slice(colon + 2) : message,
      message: `sink ${name}: ${message}`
    })
  }
  const wantsArrow = plugin.batchFormat === "arrow"
  return {
    name,
    open: (context: StreamContext) =>
      guard(name, "open", async () => {
        const arrow = arrowFree.has(plugin) && !wantsArrow ? undefined : await loadArrow()
        const writer = await plugin.open({
          ...context,
          target,
          config,
          get arrowSchema() {
            if (arrow === undefined) throw new Error(`${plugin.name}: a built-in sink that reads no Arrow schema`)
            return arrow.arrowSchemaFor(context.recordKind, context.addedFields)
          }
        })
        const wrapped: SinkWriter = {
          write: (batch: SinkBatch) =>
            guard(name, "write", () =>
              writer.write(arrow !== undefined && wantsArrow && batch.arrow === undefined
                ? { ...batch, arrow: arrow.toRecordBatch(context.recordKind, batch.records, context.addedFields) }
                : batch)
            ),
          flush: (commit) => guard(name, "flush", () => writer.flush(commit)),
          close: () => guard(name, "close", () => writer.close()),
          checkpoints: writer.checkpoints
        }
        return wrapped
      })
  }
}
