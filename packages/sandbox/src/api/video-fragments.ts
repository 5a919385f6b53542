import { withCountsShare } from "../world/growing-counts.js"
import type { VideoTable } from "../world/video-table.js"
import { FragmentArena } from "./fragment-arena.js"
import type { VideoFieldName } from "./video-fields.js"
import { videoJson } from "./video-json.js"

/** Field selections (× id style) cached at once; a new one beyond this drops them all. */
const SELECTIONS_LIMIT = 8
/** Beyond this many videos the per-video index itself would be too big: no caching. */
const MAX_INDEXED_VIDEOS = 20_000_000

/** Where each video's fragment sits in the arena, per (selection, id style). */
interface SelectionIndex {
  /** Global arena offset per video index, -1 when not cached. */
  readonly at: Int32Array
  readonly length: Uint16Array
}

const OPEN = 0x5b // [
const COMMA = 0x2c
const CLOSE = 0x5d // ]

/**
 * UTF-8 JSON of each video per (field selection, id style), generated once and kept in an
 * off-heap arena (up to `budgetBytes`): serving a page is one memcpy per video, and a harvest that
 * passes over the same videos again (another run, a resumed window) costs almost nothing.
 * Past the budget, fragments are generated per page and not kept. A video whose counts are still
 * growing (`countsShare` below 1, see `growingCounts`) is generated per page too.
 */
export class VideoFragments {
  private readonly bySelection = new Map<string, SelectionIndex>()
  private arena: FragmentArena

  constructor(
    private readonly videos: VideoTable,
    private readonly budgetBytes = 256 * 1024 * 1024,
    /** The share of its final counts a video shows now (default: all of them). */
    private readonly countsShare: (index: number) => number = () => 1
  ) {
    this.arena = new FragmentArena(budgetBytes)
  }

  private indexFor(selectionKey: string, bareIds: boolean): SelectionIndex | undefined {
    if (this.videos.count > MAX_INDEXED_VIDEOS) return undefined
    const key = (bareIds ? "b:" : "s:") + selectionKey
    let index = this.bySelection.get(key)
    if (index === undefined) {
      if (this.bySelection.size >= SELECTIONS_LIMIT) {
        this.bySelection.clear()
        this.arena = new FragmentArena(this.budgetBytes)
      }
      index = { at: new Int32Array(this.videos.count).fill(-1), length: new Uint16Array(this.videos.count) }
      this.bySelection.set(key, index)
    }
    return index
  }

  /** UTF-8 `[…]` of the given videos. */
  list(indices: ReadonlyArray<number>, fields: ReadonlyArray<VideoFieldName>, bareIds: boolean): Buffer {
    const index = this.indexFor(fields.join(","), bareIds)
    // Uncached fragments (arena full) are carried as buffers for this page only.
    let loose: Array<Buffer> | undefined
    let size = 2 + Math.max(0, indices.length - 1)
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]
      const share = this.countsShare(i)
      if (share >= 1 && index !== undefined && index.at[i] >= 0) {
        size += index.length[i]
        continue
      }
      const text = videoJson(withCountsShare(this.videos.video(i), share), fields, bareIds)
      const stored = share >= 1 && index !== undefined && text.length * 3 < 65536 ? this.arena.append(text) : undefined
      if (index !== undefined && stored !== undefined) {
        index.at[i] = stored.at
        index.length[i] = stored.written
        size += stored.written
      } else {
        loose ??= new Array(indices.length)
        loose[k] = Buffer.from(text, "utf8")
        size += loose[k].length
      }
    }
    const out = Buffer.allocUnsafe(size)
    let offset = 0
    out[offset++] = OPEN
    for (let k = 0; k < indices.length; k++) {
      if (k > 0) out[offset++] = COMMA
      const i = indices[k]
      const part = loose?.[k]
      offset += part !== undefined ? part.copy(out, offset) : this.arena.copy(index!.at[i], index!.length[i], out, offset)
    }
    out[offset++] = CLOSE
    return out
  }
}
