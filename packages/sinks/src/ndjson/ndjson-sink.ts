import { defineSink, inDays, openEpochAppendFile, provisionalDayOf, readLocation, rejectUnknownOptions } from "@tikflow/core/internal"
import type { DayReplacement, SinkBatch, SinkContext, SinkTarget, SinkWriter } from "@tikflow/core/internal"
import { join, resolve } from "node:path"
import { once } from "node:events"
import { jsonRecordsCheck } from "../schema/json-records.js"

export interface NdjsonSinkConfig {
  /** `-` for stdout, a file (`.ndjson`/`.jsonl`, may contain `{stream}`), or a directory. */
  readonly location: string
}

const parseConfig = (target: SinkTarget): NdjsonSinkConfig => {
  rejectUnknownOptions(target, [])
  return { location: readLocation(target, "a file, a directory or - for stdout") }
}

const fileFor = (location: string, stream: string): string =>
  /\.(ndjson|jsonl|json)$/i.test(location) || location.includes("{stream}")
    ? resolve(location.replaceAll("{stream}", stream))
    : resolve(join(location, `${stream}.ndjson`))

/** One JSON object per line; ids are already decimal strings in every record. */
const encode = (batch: SinkBatch): string => {
  let out = ""
  for (const record of batch.records) out += `${JSON.stringify(record)}\n`
  return out
}

/** A line to drop for a day fetched again: this harvest's record (when provenance tells) created on one of the days. */
const replacedLine = (context: SinkContext<NdjsonSinkConfig>, replace: DayReplacement) => {
  const days = new Set(replace.days)
  return (line: string): boolean => {
    if (line.trim() === "") return false
    const record = JSON.parse(line) as Record<string, unknown>
    return (record._harvest_id === undefined || record._harvest_id === context.harvestId) && inDays(record, replace.field, days)
  }
}

/** What a batch's lines hold other than its records (see `jsonRecordsCheck`): refused or counted. */
const checkOf = (context: SinkContext<NdjsonSinkConfig>) => jsonRecordsCheck(context.recordKind, context.addedFields, context.provenance)

const openFileWriter = async (context: SinkContext<NdjsonSinkConfig>): Promise<SinkWriter> => {
  const file = await openEpochAppendFile(fileFor(context.config.location, context.stream), context)
  const provisional = context.provisional
  const check = checkOf(context)
  return {
    discardUncommitted: (resume) => file.discardUncommitted(resume),
    // Rewrites the file from where the first of those days starts (a day's lines are marked where
    // they begin), before the new lines are appended; a resume at `through` finds nothing to drop.
    replaceDays: (replace) => file.dropLines(replace.days, replacedLine(context, replace)),
    write: async (batch) => {
      const changes = check(batch.records)
      if (provisional !== undefined) {
        for (const record of batch.records) {
          const day = provisionalDayOf(record, provisional)
          if (day !== undefined) file.mark(day)
        }
      }
      await file.append(encode(batch))
      return changes
    },
    flush: (commit) => file.commit(commit.epoch),
    close: () => file.close()
  }
}

const openStdoutWriter = async (context: SinkContext<NdjsonSinkConfig>): Promise<SinkWriter> => {
  if (context.resume !== undefined) context.logger.warn("ndjson:- cannot take back lines already printed; a resumed run may repeat records")
  const out = process.stdout
  const check = checkOf(context)
  return {
    async write(batch) {
      const changes = check(batch.records)
      if (batch.records.length > 0 && !out.write(encode(batch))) await once(out, "drain")
      return changes
    },
    async flush() {
      if (out.writableNeedDrain) await once(out, "drain")
    },
    async close() {}
  }
}

/** `ndjson:<file|dir>` or `ndjson:-` (stdout): one JSON object per line, fsynced on flush. */
export const ndjsonSink = defineSink<NdjsonSinkConfig>({
  contract: 3,
  name: "ndjson",
  schemes: ["ndjson", "jsonl"],
  description: "Newline-delimited JSON to a file per stream or stdout; resume cuts unacknowledged lines",
  options: {},
  config: { parse: parseConfig },
  open: (context) => (context.config.location === "-" ? openStdoutWriter(context) : openFileWriter(context))
})
