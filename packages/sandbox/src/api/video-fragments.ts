import type { VideoTable } from "../world/video-table.js"
import { cacheSlotsFor } from "../world/video-table.js"
import type { VideoFieldName } from "./video-fields.js"
import { videoJson } from "./video-json.js"

const SELECTIONS_LIMIT = 16

interface SlotCache {
  readonly tags: Int32Array
  readonly texts: Array<Buffer | undefined>
}

const OPEN = 0x5b // [
const COMMA = 0x2c
const CLOSE = 0x5d // ]

/**
 * Cached UTF-8 JSON of each video per (field selection, id style): serving a page is then one
 * memcpy per video (no string flattening or re-encoding per page). Bounded: direct-mapped slots, a newer video simply replaces an older one.
 */
export class VideoFragments {
  private readonly bySelection = new Map<string, SlotCache>()

  /** Direct-mapped slots per (selection, id style); see `cacheSlotsFor`. */
  private readonly slots: number

  constructor(private readonly videos: VideoTable) {
    this.slots = cacheSlotsFor(videos.count, 1 << 16, 1 << 9)
  }

  private cacheFor(selectionKey: string, bareIds: boolean): SlotCache {
    const key = (bareIds ? "b:" : "s:") + selectionKey
    let cache = this.bySelection.get(key)
    if (cache === undefined) {
      if (this.bySelection.size >= SELECTIONS_LIMIT) this.bySelection.clear()
      cache = { tags: new Int32Array(this.slots).fill(-1), texts: new Array(this.slots).fill(undefined) }
      this.bySelection.set(key, cache)
    }
    return cache
  }

  private fragment(cache: SlotCache, index: number, fields: ReadonlyArray<VideoFieldName>, bareIds: boolean): Buffer {
    const slot = index & (this.slots - 1)
    if (cache.tags[slot] === index) return cache.texts[slot]!
    const text = Buffer.from(videoJson(this.videos.video(index), fields, bareIds), "utf8")
    cache.tags[slot] = index
    cache.texts[slot] = text
    return text
  }

  /** UTF-8 `[…]` of the given videos. */
  list(indices: ReadonlyArray<number>, fields: ReadonlyArray<VideoFieldName>, bareIds: boolean): Buffer {
    const cache = this.cacheFor(fields.join(","), bareIds)
    const parts: Array<Buffer> = new Array(indices.length)
    let size = 2 + Math.max(0, indices.length - 1)
    for (let k = 0; k < indices.length; k++) {
      parts[k] = this.fragment(cache, indices[k], fields, bareIds)
      size += parts[k].length
    }
    const out = Buffer.allocUnsafe(size)
    let at = 0
    out[at++] = OPEN
    for (let k = 0; k < parts.length; k++) {
      if (k > 0) out[at++] = COMMA
      at += parts[k].copy(out, at)
    }
    out[at++] = CLOSE
    return out
  }
}
