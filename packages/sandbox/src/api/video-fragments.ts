import type { VideoTable } from "../world/video-table.js"
import { jsonText } from "./json-text.js"
import type { VideoFieldName } from "./video-fields.js"
import { apiVideo } from "./video-fields.js"

const PER_SELECTION_LIMIT = 200_000
const SELECTIONS_LIMIT = 16

/**
 * Cached JSON text of each video per (field selection, id style): serving a page is then mostly
 * joining strings. Bounded: a selection's cache is dropped when it outgrows its limit.
 */
export class VideoFragments {
  private readonly bySelection = new Map<string, Map<number, string>>()

  constructor(private readonly videos: VideoTable) {}

  fragment(index: number, fields: ReadonlyArray<VideoFieldName>, selectionKey: string, bareIds: boolean): string {
    const key = (bareIds ? "b:" : "s:") + selectionKey
    let cache = this.bySelection.get(key)
    if (cache === undefined) {
      if (this.bySelection.size >= SELECTIONS_LIMIT) this.bySelection.clear()
      cache = new Map()
      this.bySelection.set(key, cache)
    }
    let text = cache.get(index)
    if (text === undefined) {
      if (cache.size >= PER_SELECTION_LIMIT) cache.clear()
      text = jsonText(apiVideo(this.videos.video(index), fields), bareIds)
      cache.set(index, text)
    }
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
