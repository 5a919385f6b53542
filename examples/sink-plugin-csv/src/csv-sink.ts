import type { SinkContext, SinkPlugin, SinkWriter } from "@tikflow/core"
import { removeStaleTempFiles, writeFully } from "@tikflow/core"
import { mkdir, open } from "node:fs/promises"
import { join } from "node:path"
import type { CsvSinkConfig } from "./csv-config.js"
import { parseCsvConfig } from "./csv-config.js"
import { csvRow } from "./csv-format.js"
import type { EpochOffsets } from "./epoch-offsets.js"
import { bytesAtEpoch, readEpochOffsets, recordEpoch, writeEpochOffsets } from "./epoch-offsets.js"

const openCsvWriter = async (context: SinkContext<CsvSinkConfig>): Promise<SinkWriter> => {
  const { dir, delimiter, header, nullText } = context.config
  // The column order is the contract's Arrow schema for the record kind: stable across versions.
  const columns = context.arrowSchema.fields.map((field) => field.name)
  await mkdir(dir, { recursive: true })
  await removeStaleTempFiles(dir) // offsets sidecars a killed run was writing
  const file = join(dir, `${context.stream}.csv`)
  const handle = await open(file, "r+").catch((error: NodeJS.ErrnoException) =>
    error.code === "ENOENT" ? open(file, "w+") : Promise.reject(error)
  )
  // Cut back lazily, at the first write or flush: a runner may open a sink, learn a lower resume
  // epoch elsewhere, and reopen it before writing anything.
  let offsets: EpochOffsets = { harvestId: context.harvestId, startBytes: 0, epochs: [] }
  let position = 0
  const append = async (text: string) => {
    const bytes = Buffer.from(text, "utf8")
    await writeFully(handle, bytes, { path: file, position })
    position += bytes.length
  }
  let prepared: Promise<void> | undefined
  const prepare = () =>
    (prepared ??= (async () => {
      let size = (await handle.stat()).size
      const previous = await readEpochOffsets(file)
      if (previous?.harvestId === context.harvestId) {
        const keep = context.resume === undefined ? previous.startBytes : bytesAtEpoch(previous, context.resume.epoch)
        if (keep < size) {
          await handle.truncate(keep)
          context.logger.info(`${file}: removed ${size - keep} bytes written after epoch ${context.resume?.epoch ?? 0}`)
          size = keep
        }
        offsets = { ...previous, epochs: previous.epochs.filter(([epoch]) => epoch <= (context.resume?.epoch ?? 0)) }
      } else {
        offsets = { harvestId: context.harvestId, startBytes: size, epochs: [] }
      }
      await writeEpochOffsets(file, offsets)
      position = size
      if (position === 0 && header) await append(csvRow(columns, delimiter, nullText))
    })())

  return {
    async write(batch) {
      let text = ""
      for (const record of batch.records) {
        const row = record as unknown as Readonly<Record<string, unknown>>
        text += csvRow(columns.map((column) => row[column]), delimiter, nullText)
      }
      await prepare()
      if (text !== "") await append(text)
    },
    async flush(commit) {
      await prepare()
      await handle.sync()
      offsets = recordEpoch(offsets, commit.epoch, position)
      await writeEpochOffsets(file, offsets)
    },
    async close() {
      await handle.close()
    }
  }
}

/**
 * `csv:<dir>?delimiter=;&header=false&null=NA`: one RFC 4180 CSV file per stream. Lists are written
 * as JSON arrays. The contract is types and a plain object; of tikflow's runtime it uses only the
 * file helpers plugin authors get from `@tikflow/core` (`writeFully`, `writeJsonAtomic`).
 */
export const csvSink: SinkPlugin<CsvSinkConfig> = {
  contract: 1,
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
