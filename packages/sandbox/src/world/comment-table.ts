import { hash3, mix32 } from "../random/hash.js"
import { Prng } from "../random/prng.js"
import { IndexScrambler, idDecimal } from "./big-id.js"
import type { VideoTable } from "./video-table.js"
import { wordVocabulary } from "./vocabulary.js"

/** Only the first 1,000 comments of a video are reachable through the API. */
export const REACHABLE_COMMENTS = 1000

/** A comment in API shape with ids as strings; `reply_count` is absent when zero, as live. */
export interface ApiComment {
  readonly id: string
  readonly video_id: string
  readonly text: string
  readonly like_count: number
  readonly reply_count?: number
  readonly parent_comment_id: string
  readonly create_time: number
}

const CACHE_LIMIT = 2000

/** Comments of each video, generated on demand (the reachable first 1,000 only), oldest first. */
export class CommentTable {
  private readonly scrambler: IndexScrambler
  private readonly cache = new Map<number, ReadonlyArray<ApiComment>>()

  constructor(private readonly seed: number, private readonly videos: VideoTable) {
    this.scrambler = new IndexScrambler(mix32(seed ^ 0x27d4eb2f), 0x165667b1)
  }

  /** The reachable comments of video `index` (empty for hidden videos). */
  comments(index: number): ReadonlyArray<ApiComment> {
    let list = this.cache.get(index)
    if (list === undefined) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
      list = this.generate(index)
      this.cache.set(index, list)
    }
    return list
  }

  private generate(index: number): ReadonlyArray<ApiComment> {
    const video = this.videos.video(index)
    if (video.hidden) return []
    const n = Math.min(video.commentCount, REACHABLE_COMMENTS)
    const r = new Prng(hash3(this.seed, index, 200))
    const drafts: Array<{ id: string; text: string; like: number; parent: number; time: number; replies: number }> = []
    let time = video.createTime
    for (let j = 0; j < n; j++) {
      time += 1 + Math.floor(r.next() ** 3 * 7200)
      const isReply = j > 0 && r.next() < 0.3
      let parent = -1
      if (isReply) {
        parent = r.int(j)
        while (drafts[parent].parent !== -1) parent = drafts[parent].parent
        drafts[parent].replies++
      }
      const words = r.next() < 0.1 ? 0 : 1 + r.int(8)
      let text = ""
      for (let k = 0; k < words; k++) text += (k === 0 ? "" : " ") + wordVocabulary[r.int(wordVocabulary.length)]
      drafts.push({
        id: idDecimal(time, this.scrambler.scramble((index * REACHABLE_COMMENTS + j) >>> 0)),
        text,
        like: r.next() < 0.6 ? 0 : Math.floor(Math.exp(r.next() * Math.log(100_000))),
        parent,
        time,
        replies: 0
      })
    }
    return drafts.map((d): ApiComment => {
      const base = {
        id: d.id,
        video_id: video.id,
        text: d.text,
        like_count: d.like,
        parent_comment_id: d.parent === -1 ? video.id : drafts[d.parent].id,
        create_time: d.time
      }
      return d.replies > 0 ? { ...base, reply_count: d.replies } : base
    })
  }
}
