/** Sizes and shape of the synthetic world. Every field is optional; see {@link defaultWorldOptions}. */
export interface WorldOptions {
  /** Number of accounts (`user_00001` …). */
  readonly users?: number
  /** Number of videos, spread evenly over the date range (generated on demand, so millions are fine). */
  readonly videos?: number
  /** First day of the range, `YYYY-MM-DD` or `YYYYMMDD`, UTC. */
  readonly startDate?: string
  /** Length of the range in days. */
  readonly days?: number
  /** Share of videos that are deleted or private: counted by query cursors but never returned. */
  readonly hiddenVideoShare?: number
  /** Share of accounts that are private (user info and lists answer an error). */
  readonly privateUserShare?: number
  /** Share of accounts that no longer exist (user info answers an error). */
  readonly deletedUserShare?: number
  /** Share of videos with more than 1,000 comments. */
  readonly manyCommentsShare?: number
  /** Upper bound of one account's followers list (the real API stops near 5,000). */
  readonly maxFollowers?: number
}

export interface ResolvedWorldOptions {
  readonly users: number
  readonly videos: number
  /** UNIX seconds of 00:00 UTC of the first day. */
  readonly startTime: number
  readonly days: number
  readonly hiddenVideoShare: number
  readonly privateUserShare: number
  readonly deletedUserShare: number
  readonly manyCommentsShare: number
  readonly maxFollowers: number
}

export const defaultWorldOptions = {
  users: 1000,
  videos: 20_000,
  startDate: "2024-01-01",
  days: 90,
  hiddenVideoShare: 0.2,
  privateUserShare: 0.05,
  deletedUserShare: 0.02,
  manyCommentsShare: 0.005,
  maxFollowers: 5000
} as const

const positiveInt = (name: string, value: number, max: number): number => {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`world.${name}: expected an integer in 1..${max}, got ${value}`)
  }
  return value
}

const share = (name: string, value: number): number => {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`world.${name}: expected a number in 0..1, got ${value}`)
  return value
}

const dayStart = (text: string): number => {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text)
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN
  if (!match || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(match[3])) {
    throw new RangeError(`world.startDate: expected a date YYYY-MM-DD, got ${JSON.stringify(text)}`)
  }
  return ms / 1000
}

export const resolveWorldOptions = (options: WorldOptions = {}): ResolvedWorldOptions => ({
  users: positiveInt("users", options.users ?? defaultWorldOptions.users, 9_999_999),
  videos: positiveInt("videos", options.videos ?? defaultWorldOptions.videos, 1_000_000_000),
  startTime: dayStart(options.startDate ?? defaultWorldOptions.startDate),
  days: positiveInt("days", options.days ?? defaultWorldOptions.days, 3650),
  hiddenVideoShare: share("hiddenVideoShare", options.hiddenVideoShare ?? defaultWorldOptions.hiddenVideoShare),
  privateUserShare: share("privateUserShare", options.privateUserShare ?? defaultWorldOptions.privateUserShare),
  deletedUserShare: share("deletedUserShare", options.deletedUserShare ?? defaultWorldOptions.deletedUserShare),
  manyCommentsShare: share("manyCommentsShare", options.manyCommentsShare ?? defaultWorldOptions.manyCommentsShare),
  maxFollowers: positiveInt("maxFollowers", options.maxFollowers ?? defaultWorldOptions.maxFollowers, 1_000_000)
})
