import { hash3 } from "../random/hash.js"
import { Prng } from "../random/prng.js"
import type { VideoTable } from "./video-table.js"

export type UserVideoList = "liked" | "pinned" | "reposted"

/**
 * Each account's liked, pinned and reposted videos (visible videos only, newest first), derived
 * on demand from (seed, account) and cached.
 */
export class UserVideoLists {
  private readonly cache = new Map<string, ReadonlyArray<number>>()

  constructor(private readonly seed: number, private readonly videos: VideoTable, private readonly users: number) {}

  list(list: UserVideoList, user: number): ReadonlyArray<number> {
    const key = list + ":" + user
    let indices = this.cache.get(key)
    if (indices === undefined) {
      indices = list === "pinned" ? this.pinned(user) : this.sampled(list, user)
      this.cache.set(key, indices)
    }
    return indices
  }

  private sampled(list: "liked" | "reposted", user: number): ReadonlyArray<number> {
    const r = new Prng(hash3(this.seed, user, list === "liked" ? 300 : 301))
    const n = r.int(list === "liked" ? 120 : 30)
    const picked = new Set<number>()
    for (let k = 0; k < n * 2 && picked.size < n; k++) {
      const index = r.int(this.videos.count)
      if (!this.videos.isHidden(index)) picked.add(index)
    }
    return [...picked].sort((x, y) => y - x)
  }

  /** Up to three of the account's own videos, found by a bounded deterministic scan. */
  private pinned(user: number): ReadonlyArray<number> {
    const r = new Prng(hash3(this.seed, user, 302))
    const want = r.int(4)
    const found: Array<number> = []
    const count = this.videos.count
    const start = r.int(count)
    const budget = Math.min(count, this.users * 20)
    for (let k = 0; k < budget && found.length < want; k++) {
      const index = (start + k) % count
      if (this.videos.isHidden(index)) continue
      if (this.videos.video(index).userIndex === user) found.push(index)
    }
    return found.sort((x, y) => y - x)
  }
}
