import type { SyntheticVideo } from "./video.js"

/**
 * The share of its final counts a video shows at `nowSeconds` when counts grow during the data lag
 * (`growingCounts`): the part of the lag passed since its creation, from 1/10 (the API lists it
 * with its first views) to 1 once the lag is over. Deterministic: the final counts are the world's
 * seeded ones, so a second fetch after the first sees larger counts and ground truth agrees.
 */
export const countsShare = (createTime: number, lagSeconds: number, nowSeconds: number): number =>
  lagSeconds === 0 ? 1 : Math.min(1, Math.max(0.1, (nowSeconds - createTime) / lagSeconds))

/** The video as the API shows it with `share` of its final counts (the video itself at 1). */
export const withCountsShare = (video: SyntheticVideo, share: number): SyntheticVideo =>
  share >= 1
    ? video
    : {
      ...video,
      viewCount: Math.floor(video.viewCount * share),
      likeCount: Math.floor(video.likeCount * share),
      commentCount: Math.floor(video.commentCount * share),
      shareCount: Math.floor(video.shareCount * share),
      favoritesCount: Math.floor(video.favoritesCount * share)
    }
