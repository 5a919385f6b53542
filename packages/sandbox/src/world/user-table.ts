import { hash3, unit3 } from "../random/hash.js"
import { Prng } from "../random/prng.js"
import { usernameOf } from "./username.js"
import type { ResolvedWorldOptions } from "./world-options.js"
import { firstNames, nameDecorations, wordVocabulary } from "./vocabulary.js"

export type AccountStatus = "public" | "private" | "deleted"

export interface SyntheticUser {
  readonly index: number
  readonly username: string
  readonly displayName: string
  readonly bioDescription: string
  readonly bioUrl: string
  readonly avatarUrl: string
  readonly isVerified: boolean
  readonly likesCount: number
  readonly videoCount: number
  readonly status: AccountStatus
  /** Lists the account keeps private (the API answers an error for them). */
  readonly privateLists: {
    readonly followers: boolean
    readonly following: boolean
    readonly liked: boolean
    readonly pinned: boolean
    readonly reposted: boolean
  }
}

/** One follow edge as a list entry: who, and when (UNIX seconds, unique in the whole world). */
export interface FollowEntry {
  readonly user: number
  readonly time: number
}

const FOLLOW_SPAN_SECONDS = 2 * 365 * 86400

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * Accounts and the follower graph. The graph is built eagerly (compact typed arrays) so that
 * followers and following are two views of the same edges, with follow times unique world-wide:
 * a timestamp cursor then never skips or repeats an entry.
 */
export class UserTable {
  readonly count: number
  private readonly users: Array<SyntheticUser>
  private readonly followerLists: Array<Int32Array>
  private readonly followerTimes: Array<Float64Array>
  private readonly followingLists: Array<Int32Array>
  private readonly followingTimes: Array<Float64Array>

  constructor(seed: number, options: ResolvedWorldOptions) {
    const n = options.users
    this.count = n
    this.users = Array.from({ length: n }, (_, index) => this.makeUser(seed, index, options))

    // Follower counts: most accounts have a few dozen, one in twenty up to the cap.
    const counts = new Int32Array(n)
    let edges = 0
    const cap = Math.min(n - 1, options.maxFollowers)
    for (let u = 0; u < n; u++) {
      const star = unit3(seed, u, 101) < 0.05
      const limit = star ? cap : Math.min(cap, 100)
      counts[u] = Math.max(0, Math.min(limit, Math.floor(Math.exp(unit3(seed, u, 102) * Math.log(limit + 1))) - 1))
      edges += counts[u]
    }
    // Edge e (in order of account, then rank) gets time base + e·step + jitter (jitter < step):
    // strictly increasing in e, hence unique world-wide and already sorted within every list.
    const step = Math.max(2, Math.floor(FOLLOW_SPAN_SECONDS / Math.max(1, edges)))
    const base = options.startTime - FOLLOW_SPAN_SECONDS
    const followingCounts = new Int32Array(n)
    this.followerLists = []
    this.followerTimes = []
    let e = 0
    for (let u = 0; u < n; u++) {
      const m = counts[u]
      const list = new Int32Array(m)
      const times = new Float64Array(m)
      // Followers of u: distinct accounts (offset + k·stride) mod n, stride coprime with n.
      const offset = hash3(seed, u, 103) % n
      let stride = 1 + (hash3(seed, u, 104) % Math.max(1, n - 1))
      while (gcd(stride, n) !== 1) stride++
      let k = 1
      for (let i = m - 1; i >= 0; i--) {
        let follower = (offset + k * stride) % n
        k++
        if (follower === u) {
          follower = (offset + k * stride) % n
          k++
        }
        // Filled from the end so the list reads most recent first.
        list[i] = follower
        times[i] = base + e * step + (hash3(seed, e, 105) % step)
        e++
        followingCounts[follower]++
      }
      this.followerLists.push(list)
      this.followerTimes.push(times)
    }
    // Following lists: the same edges grouped by follower. Visiting edges in increasing time and
    // filling each list from its end leaves it most recent first.
    this.followingLists = Array.from({ length: n }, (_, u) => new Int32Array(followingCounts[u]))
    this.followingTimes = Array.from({ length: n }, (_, u) => new Float64Array(followingCounts[u]))
    const fill = Int32Array.from(followingCounts)
    for (let u = 0; u < n; u++) {
      const list = this.followerLists[u]
      const times = this.followerTimes[u]
      for (let i = list.length - 1; i >= 0; i--) {
        const f = list[i]
        const at = --fill[f]
        this.followingLists[f][at] = u
        this.followingTimes[f][at] = times[i]
      }
    }
  }

  user(index: number): SyntheticUser {
    return this.users[index]
  }

  /** Followers of `index`, most recent first. */
  followers(index: number): { readonly users: Int32Array; readonly times: Float64Array } {
    return { users: this.followerLists[index], times: this.followerTimes[index] }
  }

  /** Accounts `index` follows, most recent first. */
  following(index: number): { readonly users: Int32Array; readonly times: Float64Array } {
    return { users: this.followingLists[index], times: this.followingTimes[index] }
  }

  private makeUser(seed: number, index: number, options: ResolvedWorldOptions): SyntheticUser {
    const r = new Prng(hash3(seed, index, 100))
    const username = usernameOf(index)
    const statusRoll = r.next()
    const status: AccountStatus = statusRoll < options.deletedUserShare
      ? "deleted"
      : statusRoll < options.deletedUserShare + options.privateUserShare ? "private" : "public"
    const star = r.next() < 0.01
    const bioWords = r.int(8)
    let bio = ""
    for (let k = 0; k < bioWords; k++) bio += (k === 0 ? "" : " ") + wordVocabulary[r.int(wordVocabulary.length)]
    return {
      index,
      username,
      displayName: r.pick(firstNames) + r.pick(nameDecorations),
      bioDescription: bio,
      bioUrl: r.next() < 0.3 ? `https://linktr.ee/${username}` : "",
      avatarUrl: `https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/${(hash3(seed, index, 105) >>> 0).toString(16)}~c5_168x168.jpeg`,
      isVerified: star || r.next() < 0.02,
      likesCount: star ? 4_300_000_000 + r.int(20_000_000_000) : Math.floor(Math.exp(r.next() * Math.log(5_000_000))) - 1,
      videoCount: r.int(2000),
      status,
      privateLists: {
        followers: status === "private" || r.next() < 0.05,
        following: status === "private" || r.next() < 0.05,
        liked: status === "private" || r.next() < 0.8,
        pinned: status === "private" || r.next() < 0.05,
        reposted: status === "private" || r.next() < 0.3
      }
    }
  }
}
