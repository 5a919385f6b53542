// A child process for the postgres crash test: a deterministic "harvest" of N videos written in
// pages through the public registry to a postgres sink, committing like the pipeline runner
// (write an epoch's pages → flush with the checkpoint) and resuming from the checkpoint the
// database holds. CRASH_POINT=n SIGKILLs it at the n-th step (each write, each flush): after the
// step (CRASH_MODE=after) or while the step's COPY or merge+commit is in flight (CRASH_MODE=during,
// CRASH_DELAY_MS after the step started).
import { resolveSink } from "../../dist/index.js"

const [uri, total, pageSize, pagesPerEpoch] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])]
const harvestId = "pg-crash-harvest"
const crashPoint = Number(process.env.CRASH_POINT ?? 0)
const during = process.env.CRASH_MODE === "during"
const delayMs = Number(process.env.CRASH_DELAY_MS ?? 0)

const video = (i) => ({
  id: String(18_000_000_000_000_000_000n + BigInt(i)), create_time: 1_700_000_000 + (i % 9) * 86_400, username: `u${i % 13}`, region_code: "FR",
  video_description: i % 50 === 0 ? `nul\u0000${i}` : `vidéo ${i} 🎉\t"q"\\`, music_id: null, like_count: i, comment_count: null, share_count: 2 ** 40 + i,
  view_count: i * 7, favorites_count: null, hashtag_names: i % 2 ? ["a", `h${i % 5}`, "{x,\"y\"}"] : [], effect_ids: null, playlist_id: null,
  voice_to_text: null, is_stem_verified: i % 3 === 0, video_duration: 10, video_mention_list: null, video_label: null, video_tag: null,
  hashtag_info_list: null, sticker_info_list: null, effect_info_list: null
})

let step = 0
const kill = () => process.kill(process.pid, "SIGKILL")
const stepped = async (promise) => {
  if (++step === crashPoint && during) setTimeout(kill, delayMs)
  await promise
  if (step === crashPoint) kill()
}

const context = { harvestId, recordKind: "video", stream: "videos", primaryKey: ["id"], signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} }, resume: undefined }
const writer = await resolveSink(uri).open(context)
const resume = await writer.checkpoints.load(harvestId)
let epoch = resume?.epoch ?? 0
let page = resume?.state.nextPage ?? 0
const pages = Math.ceil(total / pageSize)
while (page < pages) {
  epoch++
  const end = Math.min(pages, page + pagesPerEpoch)
  for (; page < end; page++) {
    const records = Array.from({ length: Math.min(pageSize, total - page * pageSize) }, (_, i) => video(page * pageSize + i))
    await stepped(writer.write({ records, epoch }))
  }
  await stepped(writer.flush({ epoch, checkpoint: { version: 1, harvestId, epoch, state: { nextPage: page }, updatedAt: new Date().toISOString() } }))
}
await writer.close()
process.stdout.write("done\n")
