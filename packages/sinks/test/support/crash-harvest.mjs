// A child process for the crash tests: a deterministic "harvest" of N videos, written in pages to a
// Parquet sink and a DuckDB sink through the public registry, committing like the pipeline runner
// (write epoch → flush every sink → save the checkpoint), resuming from the lowest checkpoint among
// its file store and DuckDB's own store. The parent SIGKILLs it at random moments (CRASH_POINT).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { resolveSink } from "../../dist/index.js"
import { crashStepper, harvestInEpochs, streamContext } from "./crash-harvest-kit.mjs"

const [dir, total, pageSize, pagesPerEpoch] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])]
const harvestId = "crash-harvest"
const checkpointFile = join(dir, "checkpoint.json")

const saveCheckpoint = async (checkpoint) => {
  const temp = `${checkpointFile}.tmp`
  writeFileSync(temp, JSON.stringify(checkpoint))
  const fd = openSync(temp, "r")
  fsyncSync(fd)
  closeSync(fd)
  renameSync(temp, checkpointFile)
}

const fileCheckpoint = existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, "utf8")) : undefined
const sinks = [resolveSink(`parquet:${join(dir, "parquet")}?part_rows=${Math.ceil(pageSize * 1.5)}&partition=create_date`), resolveSink(`duckdb:${join(dir, "db.duckdb")}`)]
let writers = await Promise.all(sinks.map((sink) => sink.open(streamContext(harvestId, fileCheckpoint))))
// Like the runner: the lowest checkpoint among the stores wins; reopen if it is lower.
const dbCheckpoint = await writers[1].checkpoints.load(harvestId)
const resume = fileCheckpoint === undefined || dbCheckpoint === undefined ? undefined : (dbCheckpoint.epoch < fileCheckpoint.epoch ? dbCheckpoint : fileCheckpoint)
if (resume?.epoch !== fileCheckpoint?.epoch) {
  await Promise.all(writers.map((w) => w.close()))
  writers = await Promise.all(sinks.map((sink) => sink.open(streamContext(harvestId, resume))))
}

const { epoch, page } = await harvestInEpochs({ writers, harvestId, total, pageSize, pagesPerEpoch, resume, step: crashStepper(), save: saveCheckpoint })
// A final commit even when nothing was left, so torn files of a crash right at the end are cleared.
const final = { version: 1, harvestId, epoch: epoch + 1, state: { nextPage: page }, updatedAt: new Date().toISOString() }
for (const w of writers) await w.flush({ epoch: epoch + 1, checkpoint: final })
await saveCheckpoint(final)
await Promise.all(writers.map((w) => w.close()))
process.stdout.write("done\n")
