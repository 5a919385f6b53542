/** One synthetic video, with everything needed to evaluate queries and to serialize it. */
export interface SyntheticVideo {
  readonly index: number
  /** Decimal id; the high 32 bits are `create_time`. */
  readonly id: string
  readonly createTime: number
  /** UTC day `YYYYMMDD`, for `create_date` conditions. */
  readonly createDate: string
  readonly userIndex: number
  readonly username: string
  readonly regionCode: string
  readonly description: string
  /** JSON text of `description` (built at generation: it rarely needs escaping). */
  readonly descriptionJson: string
  readonly musicId: string
  readonly viewCount: number
  readonly likeCount: number
  readonly commentCount: number
  readonly shareCount: number
  readonly favoritesCount: number
  readonly hashtags: ReadonlyArray<string>
  /** JSON text of `hashtags`. */
  readonly hashtagsJson: string
  readonly effectIds: ReadonlyArray<string>
  readonly playlistId: string | null
  readonly voiceToText: string | null
  readonly isStemVerified: boolean | null
  readonly duration: number
  readonly videoLength: VideoLength
  readonly mentions: ReadonlyArray<string>
  readonly label: string | null
  readonly tag: { readonly number: number; readonly type: string } | null
  readonly hashtagInfo: ReadonlyArray<{ readonly id: string; readonly name: string }> | null
  readonly stickers: ReadonlyArray<{ readonly id: string; readonly name: string }> | null
  readonly effectInfo: ReadonlyArray<{ readonly id: string; readonly name: string }> | null
  /** Deleted or private: inside result sets (the cursor counts it) but never returned. */
  readonly hidden: boolean
}

export type VideoLength = "SHORT" | "MID" | "LONG" | "EXTRA_LONG"

/** The API's duration buckets: under 15 s, 15–60 s, 1–5 min, over 5 min. */
export const videoLengthOf = (seconds: number): VideoLength =>
  seconds < 15 ? "SHORT" : seconds <= 60 ? "MID" : seconds <= 300 ? "LONG" : "EXTRA_LONG"
