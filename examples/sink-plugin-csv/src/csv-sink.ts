import type { SinkContext, SinkPlugin, SinkWriter } from "@tikflow/core"
import { changeTally, openEpochAppendFile, wellFormedText } from "@tikflow/core"
import { join } from "node:path"
import type { CsvSinkConfig } from "./csv-config.js"
import { parseCsvConfig } from "./csv-config.js"
import { csvRow } from "./csv-format.js"

const openCsvWriter = async (context: SinkContext<CsvSinkConfig>): Promise<SinkWriter> => {
  const { dir, delimiter, header, nullText } = context.config
  // The column order is the contract's Arrow schema for the record kind: stable across versions.
  const columns = context.arrowSchema.fields.map((field) => field.name)
  // The epoch-tagged append file keeps the file's length at each flush and, in
  // discardUncommitted (called by tikflow before the first write or flush, never in open), cuts off
  // rows of epochs that were never acknowledged: they are about to be delivered again.
  const file = await openEpochAppendFile(join(dir, `${context.stream}.csv`), context)
  return {
    async discardUncommitted(resume) {
      await file.discardUncommitted(resume)
      if (file.size === 0 && header) await file.append(csvRow(columns, delimiter, nullText))
    },
    async write(batch) {
      // The file is UTF-8, which has no bytes for a lone surrogate (a text cut mid-emoji): such a
      // string is written as its toWellFormed() (U+FFFD), and counted, so the run reports it.
      // Lists and objects are JSON, whose escapes keep them.
      const changes = changeTally()
      let text = ""
      for (const record of batch.records) {
        const row = record as unknown as Readonly<Record<string, unknown>>
        text += csvRow(columns.map((column) => {
          const value = row[column]
          return typeof value === "string" ? wellFormedText(value, column, changes) : value
        }), delimiter, nullText)
      }
      await file.append(text)
      return changes.take()
    },
    flush: (commit) => file.commit(commit.epoch),
    close: () => file.close()
  }
}

/**
 * `csv:<dir>?delimiter=;&header=false&null=NA`: one RFC 4180 CSV file per stream. Lists are written
 * as JSON arrays. Needs only `@tikflow/core` (a peer dependency): the contract's types, the option
 * readers and the epoch-tagged append file.
 */
export const csvSink: SinkPlugin<CsvSinkConfig> = {
  contract: 2,
  name: "csv",
  schemes: ["csv"],
  description: "One RFC 4180 CSV file per stream (example third-party plugin)",
  options: {
    delimiter: "one character (default \",\"; \"tab\" for a tab)",
    header: "write a header row into new files (default true)",
    null: "text for null values (default empty)"
  },
  config: { parse: parseCsvConfig },
  open: openCsvWriter
}
