// What the crash-test child processes share: a deterministic video per index, the CRASH_POINT
// stepper, and a harvest in epochs committing like the pipeline runner (write an epoch's pages to
// every writer → flush every writer with the checkpoint → the caller's own save, if any).

/** Video `i`; `hostile` puts NUL, tab, quote and backslash characters into text fields. */
export const crashVideo = (i, hostile = false) => ({
  id: String(18_000_000_000_000_000_000n + BigInt(i)), create_time: 1_700_000_000 + (i % 9) * 86_400, username: `u${i % 13}`, region_code: "FR",
  video_description: !hostile ? `vidéo ${i} 🎉` : i % 50 === 0 ? `nul\u0000${i}` : `vidéo ${i} 🎉\t"q"\\`, music_id: null, like_count: i,
  comment_count: null, share_count: 2 ** 40 + i, view_count: i * 7, favorites_count: null,
  hashtag_names: i % 2 ? (hostile ? ["a", `h${i % 5}`, "{x,\"y\"}"] : ["a", `h${i % 5}`]) : [], effect_ids: null, playlist_id: null,
  voice_to_text: null, is_stem_verified: i % 3 === 0, video_duration: 10, video_mention_list: null, video_label: null, video_tag: null,
  hashtag_info_list: null, sticker_info_list: null, effect_info_list: null
})

/**
 * CRASH_POINT=n SIGKILLs this process at the n-th step (each write, each flush, each save), so
 * every window of the commit protocol can be hit whatever the machine's speed: after the step, or
 * with CRASH_MODE=during, CRASH_DELAY_MS after the step started (while its I/O is in flight).
 */
export const crashStepper = (env = process.env) => {
  const crashPoint = Number(env.CRASH_POINT ?? 0)
  const during = env.CRASH_MODE === "during"
  const delayMs = Number(env.CRASH_DELAY_MS ?? 0)
  const kill = () => process.kill(process.pid, "SIGKILL")
  let step = 0
  return async (promise) => {
    if (++step === crashPoint && during) setTimeout(kill, delayMs)
    await promise
    if (step === crashPoint) kill()
  }
}

export const streamContext = (harvestId, resume) => ({
  harvestId, recordKind: "video", stream: "videos", primaryKey: ["id"], signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} }, resume: resume === undefined ? undefined : { epoch: resume.epoch }
})

/** Harvests videos 0..total-1 in pages after `resume`; returns the last epoch and the next page. */
export const harvestInEpochs = async ({ writers, harvestId, total, pageSize, pagesPerEpoch, resume, hostile = false, step, save }) => {
  let epoch = resume?.epoch ?? 0
  let page = resume?.state.nextPage ?? 0
  const pages = Math.ceil(total / pageSize)
  while (page < pages) {
    epoch++
    const end = Math.min(pages, page + pagesPerEpoch)
    for (; page < end; page++) {
      const records = Array.from({ length: Math.min(pageSize, total - page * pageSize) }, (_, i) => crashVideo(page * pageSize + i, hostile))
      for (const writer of writers) await step(writer.write({ records, epoch }))
    }
    const checkpoint = { version: 1, harvestId, epoch, state: { nextPage: page }, updatedAt: new Date().toISOString() }
    for (const writer of writers) await step(writer.flush({ epoch, checkpoint }))
    if (save !== undefined) await step(save(checkpoint))
  }
  return { epoch, page }
}
