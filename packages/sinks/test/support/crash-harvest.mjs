// A child process for the crash tests: a deterministic "harvest" of N videos, written in pages to a
// Parquet sink and a DuckDB sink through the public registry, committing like the pipeline runner
// (write epoch → flush every sink → save the checkpoint), resuming from the lowest checkpoint among
// its file store and DuckDB's own store. The parent SIGKILLs it at random moments.
import { existsSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs"
import { join } from "node:path"
import { resolveSink } from "../../dist/index.js"

const [dir, total, pageSize, pagesPerEpoch] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])]
const harvestId = "crash-harvest"
const checkpointFile = join(dir, "checkpoint.json")

const video = (i) => ({
  id: String(18_000_000_000_000_000_000n + BigInt(i)), create_time: 1_700_000_000 + (i % 9) * 86_400, username: `u${i % 13}`, region_code: "FR",
  video_description: `vidéo ${i} 🎉`, music_id: null, like_count: i, comment_count: null, share_count: 2 ** 40 + i, view_count: i * 7, favorites_count: null,
  hashtag_names: i % 2 ? ["a", `h${i % 5}`] : [], effect_ids: null, playlist_id: null, voice_to_text: null, is_stem_verified: i % 3 === 0,
  video_duration: 10, video_mention_list: null, video_label: null, video_tag: null, hashtag_info_list: null, sticker_info_list: null, effect_info_list: null
})

const saveCheckpoint = (checkpoint) => {
  const temp = `${checkpointFile}.tmp`
  writeFileSync(temp, JSON.stringify(checkpoint))
  const fd = openSync(temp, "r")
  fsyncSync(fd)
  closeSync(fd)
  renameSync(temp, checkpointFile)
}

const context = (stream, resume) => ({
  harvestId, recordKind: "video", stream, primaryKey: ["id"], signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} }, resume: resume === undefined ? undefined : { epoch: resume.epoch }
})

// CRASH_POINT=n: SIGKILL this process at the n-th step (each write, each sink's flush, each
// checkpoint save), so every window of the commit protocol can be hit, whatever the machine's speed.
const crashPoint = Number(process.env.CRASH_POINT ?? 0)
let step = 0
const maybeCrash = () => {
  if (++step === crashPoint) process.kill(process.pid, "SIGKILL")
}

const fileCheckpoint = existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, "utf8")) : undefined
const sinks = [resolveSink(`parquet:${join(dir, "parquet")}?part_rows=${Math.ceil(pageSize * 1.5)}&partition=create_date`), resolveSink(`duckdb:${join(dir, "db.duckdb")}`)]
let writers = await Promise.all(sinks.map((sink) => sink.open(context("videos", fileCheckpoint))))
// Like the runner: the lowest checkpoint among the stores wins; reopen if it is lower.
const dbCheckpoint = await writers[1].checkpoints.load(harvestId)
const resume = fileCheckpoint === undefined || dbCheckpoint === undefined ? undefined : (dbCheckpoint.epoch < fileCheckpoint.epoch ? dbCheckpoint : fileCheckpoint)
if (resume?.epoch !== fileCheckpoint?.epoch) {
  await Promise.all(writers.map((w) => w.close()))
  writers = await Promise.all(sinks.map((sink) => sink.open(context("videos", resume))))
}

let epoch = resume?.epoch ?? 0
let page = resume?.state.nextPage ?? 0
const pages = Math.ceil(total / pageSize)
while (page < pages) {
  epoch++
  const end = Math.min(pages, page + pagesPerEpoch)
  for (; page < end; page++) {
    const records = Array.from({ length: Math.min(pageSize, total - page * pageSize) }, (_, i) => video(page * pageSize + i))
    for (const w of writers) {
      await w.write({ records, epoch })
      maybeCrash()
    }
  }
  const checkpoint = { version: 1, harvestId, epoch, state: { nextPage: page }, updatedAt: new Date().toISOString() }
  for (const w of writers) {
    await w.flush({ epoch, checkpoint })
    maybeCrash()
  }
  saveCheckpoint(checkpoint)
  maybeCrash()
}
// A final commit even when nothing was left, so torn files of a crash right at the end are cleared.
const final = { version: 1, harvestId, epoch: epoch + 1, state: { nextPage: page }, updatedAt: new Date().toISOString() }
for (const w of writers) await w.flush({ epoch: epoch + 1, checkpoint: final })
saveCheckpoint(final)
await Promise.all(writers.map((w) => w.close()))
process.stdout.write("done\n")
