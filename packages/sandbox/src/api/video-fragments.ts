import type { VideoTable } from "../world/video-table.js"
import { cacheSlotsFor } from "../world/video-table.js"
import type { VideoFieldName } from "./video-fields.js"
import { videoJson } from "./video-json.js"

const SELECTIONS_LIMIT = 16

interface SlotCache {
  readonly tags: Int32Array
  readonly texts: Array<string | undefined>
}

/**
 * Cached JSON text of each video per (field selection, id style): serving a page is then mostly
 * joining strings. Bounded: direct-mapped slots, a newer video simply replaces an older one.
 */
export class VideoFragments {
  private readonly bySelection = new Map<string, SlotCache>()

  /** Direct-mapped slots per (selection, id style); see `cacheSlotsFor`. */
  private readonly slots: number

  constructor(private readonly videos: VideoTable) {
    this.slots = cacheSlotsFor(videos.count, 1 << 16, 1 << 12)
  }

  fragment(index: number, fields: ReadonlyArray<VideoFieldName>, selectionKey: string, bareIds: boolean): string {
    const key = (bareIds ? "b:" : "s:") + selectionKey
    let cache = this.bySelection.get(key)
    if (cache === undefined) {
      if (this.bySelection.size >= SELECTIONS_LIMIT) this.bySelection.clear()
      cache = { tags: new Int32Array(this.slots).fill(-1), texts: new Array(this.slots).fill(undefined) }
      this.bySelection.set(key, cache)
    }
    const slot = index & (this.slots - 1)
    if (cache.tags[slot] === index) return cache.texts[slot]!
    const text = videoJson(this.videos.video(index), fields, bareIds)
    cache.tags[slot] = index
    cache.texts[slot] = text
    return text
  }

  /** `[…]` of the given videos. */
  list(indices: ReadonlyArray<number>, fields: ReadonlyArray<VideoFieldName>, bareIds: boolean): string {
    const selectionKey = fields.join(",")
    let out = "["
    for (let k = 0; k < indices.length; k++) {
      if (k > 0) out += ","
      out += this.fragment(indices[k], fields, selectionKey, bareIds)
    }
    return out + "]"
  }
}
