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
    const r = new Prng(hash3(seed, 0, 101))
    this.users = Array.from({ length: n }, (_, index) => this.makeUser(seed, index, options))

    // Followers of u: distinct accounts (u + k·step) mod n, so no list repeats an account.
    const counts = new Int32Array(n)
    let edges = 0
    const cap = Math.min(n - 1, options.maxFollowers)
    for (let u = 0; u < n; u++) {
      counts[u] = Math.floor(cap * unit3(seed, u, 102) ** 12)
      edges += counts[u]
    }
    // Unique times: edge e gets slot perm(e) of an affine permutation of [0, edges).
    let a = 1 + Math.floor(r.next() * Math.max(1, edges - 1))
    while (edges > 1 && gcd(a, edges) !== 1) a++
    const b = Math.floor(r.next() * Math.max(1, edges))
    const step = Math.max(1, Math.floor(FOLLOW_SPAN_SECONDS / Math.max(1, edges)))
    const base = options.startTime - FOLLOW_SPAN_SECONDS
    const followingCounts = new Int32Array(n)
    this.followerLists = []
    this.followerTimes = []
    let e = 0
    for (let u = 0; u < n; u++) {
      const list = new Int32Array(counts[u])
      const times = new Float64Array(counts[u])
      const offset = hash3(seed, u, 103) % n
      let stride = 1 + (hash3(seed, u, 104) % Math.max(1, n - 1))
      while (gcd(stride, n) !== 1) stride++
      let k = 1
      for (let i = 0; i < counts[u]; i++) {
        let follower = (offset + k * stride) % n
        k++
        if (follower === u) {
          follower = (offset + k * stride) % n
          k++
        }
        list[i] = follower
        times[i] = base + ((a * e + b) % edges) * step
        e++
        followingCounts[follower]++
      }
      // Most recent first.
      const order = Array.from(list.keys()).sort((x, y) => times[y] - times[x])
      this.followerLists.push(Int32Array.from(order, (i) => list[i]))
      this.followerTimes.push(Float64Array.from(order, (i) => times[i]))
    }
    this.followingLists = Array.from({ length: n }, (_, u) => new Int32Array(followingCounts[u]))
    this.followingTimes = Array.from({ length: n }, (_, u) => new Float64Array(followingCounts[u]))
    const fill = new Int32Array(n)
    for (let u = 0; u < n; u++) {
      const list = this.followerLists[u]
      const times = this.followerTimes[u]
      for (let i = 0; i < list.length; i++) {
        const f = list[i]
        this.followingLists[f][fill[f]] = u
        this.followingTimes[f][fill[f]] = times[i]
        fill[f]++
      }
    }
    for (let u = 0; u < n; u++) {
      const list = this.followingLists[u]
      const times = this.followingTimes[u]
      const order = Array.from(list.keys()).sort((x, y) => times[y] - times[x])
      this.followingLists[u] = Int32Array.from(order, (i) => list[i])
      this.followingTimes[u] = Float64Array.from(order, (i) => times[i])
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
