import { open, readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import type { AnyRecord, BoundSink, SinkWriter, StreamContext } from "@tikflow/core/internal"
import { makeDirectory, writeFileAtomic, writeFully } from "@tikflow/core/internal"
import { EpochPending } from "./epoch-pending.js"

/** Which value of a record feeds a later job: its video id, or its username (a video's author). */
export type CollectedField = "video_id" | "username"

/** The value of `field` a record gives a later job, or null when it has none. */
export const collectedValueOf = (record: AnyRecord, field: CollectedField, kind: StreamContext["recordKind"]): string | null => {
  const row = record as unknown as Record<string, unknown>
  if (field === "video_id") {
    const id = kind === "comment" ? row.video_id : kind === "video" || kind === "user_video" ? row.id : null
    return typeof id === "string" ? id : null
  }
  if (kind === "user_info" && row.lookup_error !== null) return null
  return typeof row.username === "string" ? row.username : null
}

/**
 * A sink, internal to the CLI, that keeps the values a later job of the same run needs (the video
 * ids or authors of a videos job) in the run's state directory, one file per harvest, each line
 * tagged with its epoch. It follows the sink contract like any sink: values of epochs after the
 * resumed one are dropped on open, so the list holds exactly what was committed. A flush appends
 * only the epochs it commits (`writesDuringFlush`: the next epoch's lines gather meanwhile).
 */
export const idCollector = (dir: string, job: string, fields: ReadonlyArray<CollectedField>): BoundSink => ({
  name: `collector:${job}`,
  async open(context: StreamContext): Promise<SinkWriter> {
    const jobDir = join(dir, job)
    await makeDirectory(jobDir)
    const file = join(jobDir, `${context.harvestId}.tsv`)
    const resumeEpoch = context.resume?.epoch
    const kept = resumeEpoch === undefined
      ? ""
      : (await readText(file)).split("\n").filter((line) => line !== "" && Number(line.split("\t", 1)[0]) <= resumeEpoch).map((l) => l + "\n").join("")
    // Atomic: a crash while cutting back must not lose the committed lines.
    await writeFileAtomic(file, kept)
    const pending = new EpochPending<Array<string>>(() => [])
    return {
      writesDuringFlush: true,
      async write(batch) {
        const lines = pending.of(batch.epoch)
        for (const record of batch.records) {
          for (const field of fields) {
            const value = collectedValueOf(record, field, context.recordKind)
            if (value !== null) lines.push(`${batch.epoch}\t${field}\t${value}\n`)
          }
        }
      },
      async flush(commit) {
        const lines = pending.takeThrough(commit.epoch).flat()
        if (lines.length === 0) return
        // Durable before the runner commits the epoch, like any sink's flush.
        const handle = await open(file, "a")
        try {
          await writeFully(handle, Buffer.from(lines.join(""), "utf8"), { path: file })
          await handle.sync()
        } finally {
          await handle.close()
        }
      },
      async close() {}
    }
  }
})

/** The distinct values a job collected, in first-seen order. */
export const readCollected = async (dir: string, job: string, field: CollectedField): Promise<ReadonlyArray<string>> => {
  const jobDir = join(dir, job)
  const files = (await readdir(jobDir).catch(() => [] as Array<string>)).filter((name) => name.endsWith(".tsv")).sort()
  const values = new Set<string>()
  for (const name of files) {
    for (const line of (await readText(join(jobDir, name))).split("\n")) {
      const [, lineField, value] = line.split("\t")
      if (lineField === field && value) values.add(value)
    }
  }
  return [...values]
}

const readText = (file: string): Promise<string> =>
  readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return ""
    throw error
  })
