import { hash3, mix32, unit3 } from "../random/hash.js"
import { Prng } from "../random/prng.js"
import { IndexScrambler, idDecimal, idParts } from "./big-id.js"
import { usernameOf } from "./username.js"
import type { SyntheticVideo } from "./video.js"
import { videoLengthOf } from "./video.js"
import type { ResolvedWorldOptions } from "./world-options.js"
import {
  effectNames, hashtagVocabulary, regionCodes, stickerNames, videoLabels, wordVocabulary
} from "./vocabulary.js"

const MUSIC_TRACKS = 3000
const LOG_MAX_VIEWS = Math.log(20_000_000)
/** The shared empty list (most videos mention no one and use no effect). */
const NONE: ReadonlyArray<string> = Object.freeze([])

// Plain products: `x ** n` on doubles goes through the generic power routine.
const square = (x: number): number => x * x
const cube = (x: number): number => x * x * x
const EFFECTS = 400
/**
 * Direct-mapped cache slots (a power of two): no Map bookkeeping on the serving hot path. A world
 * that fits is cached whole; a larger one gets a small cache, so streamed-through videos die young
 * (a big cache of churning objects costs more in old-generation GC than regenerating them).
 */
const cacheSlotsFor = (count: number, fullUpTo: number, small: number): number => {
  if (count > fullUpTo) return small
  let slots = 1
  while (slots < count) slots <<= 1
  return slots
}

const hashtagIds = new Map<string, string>()

/** A stable id per hashtag name (FNV-1a of its UTF-16 units, widened to look like a TikTok id). */
const hashtagIdOf = (name: string): string => {
  let id = hashtagIds.get(name)
  if (id === undefined) {
    let h = 0x811c9dc5
    for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 0x01000193)
    id = idDecimal(1_500_000_000 + (mix32(h) % 100_000_000), h >>> 0)
    hashtagIds.set(name, id)
  }
  return id
}

const pad2 = (n: number): string => (n < 10 ? "0" : "") + n

/** `YYYYMMDD` of a UNIX time in seconds (UTC). */
export const utcDate = (seconds: number): string => {
  const d = new Date(seconds * 1000)
  return String(d.getUTCFullYear()) + pad2(d.getUTCMonth() + 1) + pad2(d.getUTCDate())
}

/**
 * All videos of the world, generated on demand from (seed, index). Index order is creation order:
 * `createTime` never decreases with the index, so a date window is one contiguous index range.
 */
export class VideoTable {
  readonly count: number
  private readonly span: number
  private readonly scrambler: IndexScrambler
  private readonly rng = new Prng(0)
  private readonly cache: Array<SyntheticVideo | undefined>
  private readonly slotMask: number
  private readonly effectIdList: ReadonlyArray<string>
  private readonly trackIds: Array<string | undefined> = new Array(MUSIC_TRACKS).fill(undefined)
  private readonly dayDates: Array<string | undefined>
  private readonly usernames: ReadonlyArray<string>

  constructor(private readonly seed: number, private readonly options: ResolvedWorldOptions) {
    this.count = options.videos
    this.span = options.days * 86400
    this.scrambler = new IndexScrambler(mix32(seed ^ 0x5bd1e995))
    this.usernames = Array.from({ length: options.users }, (_, k) => usernameOf(k))
    const slots = cacheSlotsFor(this.count, 1 << 17, 1 << 9)
    this.cache = new Array(slots).fill(undefined)
    this.slotMask = slots - 1
    this.dayDates = new Array(options.days + 1).fill(undefined)
    this.effectIdList = Array.from({ length: EFFECTS }, (_, k) => String(10_000_000 + (hash3(seed, k, 41) % 89_999_999)))
  }

  /** Creation time (UNIX seconds) of video `index`, without generating the rest of it. */
  createTime(index: number): number {
    const u = unit3(this.seed, index, 1)
    return this.options.startTime + Math.floor(((index + u) * this.span) / this.count)
  }

  /** First index whose creation time is ≥ `seconds` (binary search over the monotone times). */
  lowerBound(seconds: number): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.createTime(mid) < seconds) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index range [from, to) of the videos created in [startSeconds, endSeconds). */
  range(startSeconds: number, endSeconds: number): { readonly from: number; readonly to: number } {
    return { from: this.lowerBound(startSeconds), to: this.lowerBound(endSeconds) }
  }

  isHidden(index: number): boolean {
    return unit3(this.seed, index, 3) < this.options.hiddenVideoShare
  }

  /** The index of a video id, or -1 when no video of this world has that id. */
  indexOfId(id: string): number {
    const parts = idParts(id)
    if (!parts) return -1
    const index = this.scrambler.unscramble(parts.lo)
    if (index >= this.count || this.createTime(index) !== parts.hi) return -1
    return index
  }

  idOf(index: number): string {
    return idDecimal(this.createTime(index), this.scrambler.scramble(index))
  }

  video(index: number): SyntheticVideo {
    const slot = index & this.slotMask
    let video = this.cache[slot]
    if (video === undefined || video.index !== index) {
      video = this.generate(index)
      this.cache[slot] = video
    }
    return video
  }

  private dateOf(seconds: number): string {
    const day = Math.floor((seconds - this.options.startTime) / 86400)
    let date = this.dayDates[day]
    if (date === undefined) {
      date = utcDate(seconds)
      if (day >= 0 && day < this.dayDates.length) this.dayDates[day] = date
    }
    return date
  }

  private trackId(track: number): string {
    let id = this.trackIds[track]
    if (id === undefined) {
      id = idDecimal(1_650_000_000 + track * 9973, mix32(track ^ this.seed ^ 0x1b873593))
      this.trackIds[track] = id
    }
    return id
  }

  private generate(index: number): SyntheticVideo {
    const seed = this.seed
    const r = this.rng.reseed(hash3(seed, index, 7))
    const users = this.options.users
    const createTime = this.createTime(index)
    const userIndex = Math.min(users - 1, Math.floor(users * square(r.next())))

    const hashtagCount = Math.floor(r.next() * r.next() * 8)
    const hashtags: Array<string> = []
    for (let k = 0; k < hashtagCount; k++) {
      const tag = hashtagVocabulary[Math.floor(hashtagVocabulary.length * square(r.next()))]
      if (!hashtags.includes(tag)) hashtags.push(tag)
    }

    // One join instead of a chain of concatenations: fewer short-lived strings per video.
    const parts: Array<string> = []
    let mentions: ReadonlyArray<string> = NONE
    const wordCount = 1 + r.int(9)
    const mention = r.next() < 0.1
    if (mention) {
      const mentioned = this.usernames[r.int(users)]
      mentions = [mentioned]
      parts.push("#duet with @" + mentioned)
    }
    for (let k = 0; k < wordCount; k++) parts.push(wordVocabulary[r.int(wordVocabulary.length)])
    const withNul = r.next() < 0.002
    if (withNul) parts.push("\u0000")
    for (const tag of hashtags) parts.push("#" + (r.next() < 0.1 ? tag.toUpperCase() : tag))
    if (hashtags.length > 0) parts.push("")
    const description = parts.join(" ")

    const originalSound = r.next() < 0.3
    const track = Math.floor(MUSIC_TRACKS * cube(r.next()))
    const musicId = originalSound
      ? idDecimal(createTime, mix32(index ^ seed ^ 0x3c6ef372))
      : this.trackId(track)

    const huge = r.next() < 0.003
    const viewCount = huge
      ? 4_300_000_000 + Math.floor(r.next() * 30_000_000_000)
      : Math.floor(Math.exp(square(r.next()) * LOG_MAX_VIEWS)) - 1
    const likeCount = Math.floor(viewCount * r.next() * 0.15)
    const manyComments = unit3(seed, index, 11) < this.options.manyCommentsShare
    const commentCount = manyComments
      ? 1001 + r.int(4000)
      : Math.min(400, Math.floor(Math.min(likeCount, 20_000) * r.next() * 0.05))
    const shareCount = Math.floor(likeCount * r.next() * 0.1)
    const favoritesCount = r.next() < 0.6 ? Math.floor(likeCount * r.next() * 0.2) : 0

    let effectIds: Array<string> | ReadonlyArray<string> = NONE
    if (r.next() < 0.15) {
      effectIds = []
      const n = 1 + r.int(2)
      for (let k = 0; k < n; k++) {
        const effect = this.effectIdList[Math.floor(EFFECTS * square(r.next()))]
        if (!effectIds.includes(effect)) (effectIds as Array<string>).push(effect)
      }
    }
    const duration = 3 + Math.floor(597 * cube(r.next()))
    const playlistId = r.next() < 0.05 ? idDecimal(createTime - 86400 * (1 + r.int(300)), r.uint32()) : null
    const voiceToText = r.next() < 0.2 ? wordVocabulary[r.int(wordVocabulary.length)] + " " + wordVocabulary[r.int(wordVocabulary.length)] : null
    const stemRoll = r.next()
    const isStemVerified = stemRoll < 0.4 ? stemRoll < 0.05 : null
    const label = r.next() < 0.03 ? videoLabels[r.int(videoLabels.length)] : null
    const tag = r.next() < 0.04 ? { number: 1 + r.int(3), type: r.next() < 0.5 ? "Paid partnership" : "Promotional" } : null
    const hashtagInfo = hashtags.length > 0 && r.next() < 0.3
      ? hashtags.map((name) => ({ id: hashtagIdOf(name), name }))
      : null
    const stickers = r.next() < 0.05
      ? [{ id: String(100_000 + r.int(900_000)), name: stickerNames[r.int(stickerNames.length)] }]
      : null
    const effectInfo = effectIds.length > 0 && r.next() < 0.5
      ? effectIds.map((id) => ({ id, name: effectNames[Number(id) % effectNames.length] }))
      : null

    return {
      index,
      id: idDecimal(createTime, this.scrambler.scramble(index)),
      createTime,
      createDate: this.dateOf(createTime),
      userIndex,
      username: this.usernames[userIndex],
      regionCode: regionCodes[r.int(regionCodes.length)],
      description,
      // Vocabulary words, handles and hashtags hold no quote, backslash or control character.
      descriptionJson: withNul ? JSON.stringify(description) : '"' + description + '"',
      musicId,
      viewCount,
      likeCount,
      commentCount,
      shareCount,
      favoritesCount,
      hashtags,
      hashtagsJson: hashtags.length === 0 ? "[]" : '["' + hashtags.join('","') + '"]',
      effectIds,
      playlistId,
      voiceToText,
      isStemVerified,
      duration,
      videoLength: videoLengthOf(duration),
      mentions,
      label,
      tag,
      hashtagInfo,
      stickers,
      effectInfo,
      hidden: this.isHidden(index)
    }
  }
}
