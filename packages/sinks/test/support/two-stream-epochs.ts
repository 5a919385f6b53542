import type { Video } from "@tikflow/core/internal"
import { expect } from "vitest"
import { resolveSink } from "../../src/internal.js"
import { checkpoint, streamContext } from "./context.js"
import { sampleVideo } from "./records.js"

/**
 * The transactional sinks' shared scenario: two streams share one database; videos flushes
 * epochs 1 and 2 and writes 3, comments flushes only epoch 1, then both close — the "crash".
 * Returns the 60 videos and their 60 comments; the caller checks what the database holds.
 */
export const crashTwoStreams = async (uri: string) => {
  const videos = Array.from({ length: 60 }, (_, i) => sampleVideo(i))
  const comments = videos.map((v, i) => ({ id: String(100 + i), video_id: v.id, text: "c", like_count: 1, reply_count: 0, parent_comment_id: v.id, create_time: 1 }))
  const sink = resolveSink(uri)
  const v = await sink.open(streamContext("video", { stream: "videos" }))
  const c = await sink.open(streamContext("comment", { stream: "comments" }))
  await v.write({ records: videos.slice(0, 20), epoch: 1 })
  await c.write({ records: comments.slice(0, 20), epoch: 1 })
  await Promise.all([v.flush({ epoch: 1, checkpoint: checkpoint(1) }), c.flush({ epoch: 1, checkpoint: checkpoint(1) })])
  await v.write({ records: videos.slice(20, 40), epoch: 2 })
  await c.write({ records: comments.slice(20, 40), epoch: 2 })
  await v.flush({ epoch: 2, checkpoint: checkpoint(2) })
  await v.write({ records: videos.slice(40), epoch: 3 })
  expect(await v.checkpoints!.load("harvest-1")).toMatchObject({ epoch: 1, state: { cursor: 1 } })
  await Promise.all([v.close(), c.close()])
  return { videos, comments }
}

/** Resumes both streams from the least advanced one (epoch 1): epochs 2 and 3 are delivered again and flushed. */
export const resumeTwoStreams = async (uri: string, { videos, comments }: Awaited<ReturnType<typeof crashTwoStreams>>) => {
  const sink = resolveSink(uri)
  const v2 = await sink.open(streamContext("video", { stream: "videos", resume: { epoch: 1 } }))
  const c2 = await sink.open(streamContext("comment", { stream: "comments", resume: { epoch: 1 } }))
  for (const [i, [vs, cs]] of [[videos.slice(20, 40), comments.slice(20, 40)], [videos.slice(40), comments.slice(40)]].entries()) {
    await v2.write({ records: vs as Array<Video>, epoch: i + 2 })
    await c2.write({ records: cs as typeof comments, epoch: i + 2 })
    await Promise.all([v2.flush({ epoch: i + 2, checkpoint: checkpoint(i + 2) }), c2.flush({ epoch: i + 2, checkpoint: checkpoint(i + 2) })])
  }
  expect(await c2.checkpoints!.load("harvest-1")).toMatchObject({ epoch: 3 })
  await c2.checkpoints!.clear("harvest-other")
  await Promise.all([v2.close(), c2.close()])
}
