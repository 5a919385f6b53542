import { defineSink, removeStaleTempFiles, writeFully } from "@tikflow/core"
import type { SinkBatch, SinkContext, SinkTarget, SinkWriter } from "@tikflow/core"
import { mkdir, open } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { once } from "node:events"
import { readLocation, rejectUnknownOptions } from "../config/option-readers.js"
import type { Offsets } from "./offsets-sidecar.js"
import { lengthAt, readOffsets, withEpoch, writeOffsets } from "./offsets-sidecar.js"

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

// Two streams appending to one file would interleave and make truncation on resume unsafe.
const openFiles = new Set<string>()

const openFileWriter = async (context: SinkContext<NdjsonSinkConfig>): Promise<SinkWriter> => {
  const file = fileFor(context.config.location, context.stream)
  if (openFiles.has(file)) {
    throw new Error(`${file} is already written by another stream; use a directory or {stream} in the file name`)
  }
  openFiles.add(file)
  try {
    await mkdir(dirname(file), { recursive: true })
    await removeStaleTempFiles(dirname(file)) // offsets sidecars a killed run was writing
    // r+ (not append mode): positional writes and truncation on resume.
    const handle = await open(file, "r+").catch((error: NodeJS.ErrnoException) =>
      error.code === "ENOENT" ? open(file, "w+") : Promise.reject(error)
    )
    // Truncation happens lazily, at the first write or flush: a runner may open a sink, learn a
    // lower resume epoch from another sink's checkpoint store, and reopen it.
    let offsets: Offsets | undefined
    let position = 0
    let prepared: Promise<void> | undefined
    const prepare = () =>
      (prepared ??= (async () => {
        const size = (await handle.stat()).size
        const previous = await readOffsets(file)
        let next: Offsets
        if (previous !== undefined && previous.harvestId === context.harvestId) {
          // Same harvest: resumed (cut back to the committed epoch) or restarted (cut back to its start).
          const keep = context.resume === undefined ? previous.startBytes : lengthAt(previous, context.resume.epoch)
          if (keep < size) {
            await handle.truncate(keep)
            await handle.sync()
            context.logger.info(`${file}: cut ${size - keep} byte(s) of unacknowledged epochs`)
          }
          next = { ...previous, epochs: previous.epochs.filter(([e]) => context.resume !== undefined && e <= context.resume.epoch) }
        } else {
          if (context.resume !== undefined) context.logger.warn(`${file}: no offsets for this harvest; appending without truncation`)
          next = { version: 1, harvestId: context.harvestId, startBytes: size, epochs: [] }
        }
        await writeOffsets(file, next)
        position = (await handle.stat()).size
        offsets = next
      })())
    let closed = false
    return {
      async write(batch) {
        if (batch.records.length === 0) return
        await prepare()
        const bytes = Buffer.from(encode(batch), "utf8")
        // Every byte or a typed failure: a short write must not leave a hole the offsets then count.
        await writeFully(handle, bytes, { path: file, position })
        position += bytes.length
      },
      async flush(commit) {
        await prepare()
        await handle.sync()
        offsets = withEpoch(offsets!, commit.epoch, position)
        await writeOffsets(file, offsets)
      },
      async close() {
        if (closed) return
        closed = true
        openFiles.delete(file)
        await handle.close()
      }
    }
  } catch (error) {
    openFiles.delete(file)
    throw error
  }
}

const openStdoutWriter = async (context: SinkContext<NdjsonSinkConfig>): Promise<SinkWriter> => {
  if (context.resume !== undefined) context.logger.warn("ndjson:- cannot take back lines already printed; a resumed run may repeat records")
  const out = process.stdout
  return {
    async write(batch) {
      if (batch.records.length > 0 && !out.write(encode(batch))) await once(out, "drain")
    },
    async flush() {
      if (out.writableNeedDrain) await once(out, "drain")
    },
    async close() {}
  }
}

/** `ndjson:<file|dir>` or `ndjson:-` (stdout): one JSON object per line, fsynced on flush. */
export const ndjsonSink = defineSink<NdjsonSinkConfig>({
  contract: 1,
  name: "ndjson",
  schemes: ["ndjson", "jsonl"],
  description: "Newline-delimited JSON to a file per stream or stdout; resume cuts unacknowledged lines",
  options: {},
  config: { parse: parseConfig },
  open: (context) => (context.config.location === "-" ? openStdoutWriter(context) : openFileWriter(context))
})
