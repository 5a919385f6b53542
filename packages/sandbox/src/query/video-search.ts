import type { VideoTable } from "../world/video-table.js"
import type { SyntheticVideo } from "../world/video.js"

/**
 * One search's result set: the indices of matching videos, newest first, hidden ones included
 * (the cursor counts them). Scanned lazily so a page costs what it returns, even over millions.
 */
export class VideoSearch {
  private positions = new Int32Array(256)
  private length = 0
  private nextIndex: number
  private done = false

  constructor(
    private readonly videos: VideoTable,
    private readonly from: number,
    to: number,
    private readonly matches: (video: SyntheticVideo) => boolean
  ) {
    this.nextIndex = to - 1
    if (to <= from) this.done = true
  }

  /** Scans until at least `n` positions are known or the window is exhausted. */
  private ensure(n: number): void {
    while (this.length < n && !this.done) {
      const index = this.nextIndex--
      if (this.nextIndex < this.from) this.done = true
      if (this.matches(this.videos.video(index))) {
        if (this.length === this.positions.length) {
          const grown = new Int32Array(this.positions.length * 2)
          grown.set(this.positions)
          this.positions = grown
        }
        this.positions[this.length++] = index
      }
    }
  }

  /** Result positions [cursor, cursor + count), and whether more follow. */
  slice(cursor: number, count: number): { readonly indices: ReadonlyArray<number>; readonly hasMore: boolean } {
    this.ensure(cursor + count + 1)
    const end = Math.min(this.length, cursor + count)
    const indices: Array<number> = []
    for (let p = cursor; p < end; p++) indices.push(this.positions[p])
    return { indices, hasMore: this.length > cursor + count }
  }

  /** Every position of the result set (scans the whole window). */
  all(): ReadonlyArray<number> {
    this.ensure(Number.MAX_SAFE_INTEGER)
    return Array.from(this.positions.subarray(0, this.length))
  }

  /** Result positions held in memory (for the registry's memory bound). */
  retained(): number {
    return this.positions.length
  }

  /** Position count, once known (scans the whole window). */
  size(): number {
    this.ensure(Number.MAX_SAFE_INTEGER)
    return this.length
  }
}
