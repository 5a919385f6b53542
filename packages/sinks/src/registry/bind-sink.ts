import type { BoundSink, BoundWriter, SinkBatch, SinkPlugin, SinkTarget, SinkWriter, StreamContext } from "@tikflow/core/internal"
import { changesOf, ConfigError, isConfigError, mergeChangedValues, sinkStep } from "@tikflow/core/internal"
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
  const [{ arrowSchemaFor }, { recordBatchOf }] = await Promise.all([import("../schema/arrow-schema.js"), import("../schema/record-batch.js")])
  return { arrowSchemaFor, recordBatchOf }
}
type Arrow = Awaited<ReturnType<typeof loadArrow>>

/**
 * Runs the plugin's config validator, naming the sink in the error. A `ConfigError` keeps its
 * field and expectation (matched by tag: a plugin on its own copy of @tikflow/core throws its own
 * class); any other error is shown whole, as the sink's.
 */
const parseConfig = (plugin: SinkPlugin<unknown>, target: SinkTarget, name: string): unknown => {
  try {
    return plugin.config.parse(target)
  } catch (cause) {
    if (isConfigError(cause)) {
      throw new ConfigError({ field: `${name} ${cause.field}`, expected: cause.expected, got: cause.got, message: `sink ${name}: ${cause.message}` })
    }
    const message = cause instanceof Error ? cause.message : String(cause)
    throw new ConfigError({ field: name, expected: message, message: `sink ${name}: ${message}` })
  }
}

/**
 * Wraps an opened plugin writer: each step fails as one `SinkError` naming the sink; the writer's
 * `discardUncommitted` hook runs once, before its first write or flush (never during open, so a
 * sink reopened at a lower epoch loses nothing), followed by `replaceDays` when the run starts
 * fetching days again; plugins that asked for Arrow get it.
 */
const wrapWriter = (writer: SinkWriter, name: string, context: StreamContext, arrow: Arrow | undefined): BoundWriter => {
  let discarded: Promise<void> | undefined
  // What the plugin's replaceDays said it removed: the run's summary compares it with the rows the
  // harvest delivered earlier for those days.
  let replacedRows: number | undefined
  // A run fetching days again replaces their earlier rows when it starts its pass (resumed at the
  // epoch its pass began after); resumed later, its first flush already did.
  const replace = context.provisional?.replaces
  const replacing = replace !== undefined && context.resume?.epoch === replace.through ? writer.replaceDays?.bind(writer) : undefined
  const discardOnce = () =>
    (discarded ??= (async () => {
      await writer.discardUncommitted?.(context.resume)
      if (replacing !== undefined) {
        const removed = await replacing(replace!)
        if (typeof removed === "number") {
          replacedRows = removed
          context.logger.info(`${name}: ${removed} row(s) of ${replace!.days.length} day(s) fetched again replaced`)
        }
      }
    })())
  return {
    write: (batch) =>
      sinkStep(name, "write", async () => {
        await discardOnce()
        if (arrow === undefined || batch.arrow !== undefined) return writer.write(batch)
        // The conversion to Arrow is ours: what it stored changed counts beside what the plugin says.
        const { batch: arrowBatch, changes } = arrow.recordBatchOf(context.recordKind, batch.records, context.addedFields, context.provenance)
        const said = await writer.write({ ...batch, arrow: arrowBatch })
        // What it stored changed, if it says: the runner counts it once the epoch commits.
        return changes === undefined ? said : mergeChangedValues(changes, changesOf(said))
      }),
    flush: (commit) =>
      sinkStep(name, "flush", async () => {
        await discardOnce()
        await writer.flush(commit)
      }),
    close: () => sinkStep(name, "close", () => writer.close()),
    // Present when the plugin's writer has the hook (the run's summary tells the sinks apart); the
    // binding calls the plugin's itself, at the right time.
    ...(writer.replaceDays === undefined ? {} : { replaceDays: () => sinkStep(name, "write", discardOnce).then(() => undefined) }),
    checkpoints: writer.checkpoints,
    writesDuringFlush: writer.writesDuringFlush === true,
    get replacedRows() {
      return replacedRows
    }
  }
}

/**
 * Validates the target's config with the plugin's validator (now, so bad config fails before any
 * harvesting) and returns what the runner opens once per stream.
 */
export const bindSink = (plugin: SinkPlugin<unknown>, target: SinkTarget): BoundSink => {
  const name = displayName(target)
  const config = parseConfig(plugin, target, name)
  const wantsArrow = plugin.batchFormat === "arrow"
  return {
    name,
    open: (context: StreamContext) =>
      sinkStep(name, "open", async () => {
        const arrow = arrowFree.has(plugin) && !wantsArrow ? undefined : await loadArrow()
        const writer = await plugin.open({
          ...context,
          target,
          config,
          get arrowSchema() {
            if (arrow === undefined) throw new Error(`${plugin.name}: a built-in sink that reads no Arrow schema`)
            return arrow.arrowSchemaFor(context.recordKind, context.addedFields, context.provenance)
          }
        })
        return wrapWriter(writer, name, context, wantsArrow ? arrow : undefined)
      })
  }
}
