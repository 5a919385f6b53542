// Deterministic video records shaped like the API's (19-digit ids, text, lists, counts), so the
// sink and dedupe benchmarks need no HTTP.
const words = ["dance", "cat", "recipe", "travel", "music", "fitness", "comedy", "diy", "art", "news", "tech", "garden"]
const regions = ["US", "GB", "DE", "FR", "JP", "BR", "IN", "CA", "MX", "ES"]

/** The decimal id of video `i`: above 2^53 like real ids. */
export const videoId = (i) => (7_300_000_000_000_000_000n + BigInt(i) * 7919n).toString()

export const video = (i) => {
  const w = (k) => words[(i * 7 + k * 13) % words.length]
  return {
    id: videoId(i),
    create_time: 1_704_067_200 + (i % 5_184_000),
    username: `user_${String(i % 50_000).padStart(5, "0")}`,
    region_code: regions[i % regions.length],
    video_description: `a ${w(1)} video about ${w(2)} and ${w(3)} #${w(1)} #${w(4)} number ${i}`,
    music_id: (6_900_000_000_000_000_000n + BigInt(i % 100_000)).toString(),
    like_count: (i * 31) % 1_000_000,
    comment_count: (i * 7) % 5_000,
    share_count: (i * 3) % 10_000,
    view_count: (i * 131) % 50_000_000,
    favorites_count: (i * 11) % 100_000,
    hashtag_names: [w(1), w(4), w(5)],
    effect_ids: i % 3 === 0 ? [String(100_000 + (i % 977))] : [],
    playlist_id: i % 10 === 0 ? String(7_000_000_000 + i) : null,
    voice_to_text: i % 4 === 0 ? `spoken words about ${w(6)}` : null,
    is_stem_verified: i % 5 === 0,
    video_duration: 5 + (i % 170),
    video_mention_list: i % 6 === 0 ? [`user_${i % 777}`] : [],
    video_label: null,
    video_tag: null,
    hashtag_info_list: null,
    sticker_info_list: null,
    effect_info_list: null
  }
}

/** Records [from, to) in batches of `size`. */
export function* videoBatches(from, to, size) {
  for (let start = from; start < to; start += size) {
    const batch = []
    for (let i = start; i < Math.min(to, start + size); i++) batch.push(video(i))
    yield batch
  }
}

/** The stream context a sink is opened with for the synthetic videos (no resume, nothing logged). */
export const videoStreamContext = (harvestId) => ({
  harvestId,
  recordKind: "video",
  stream: "videos",
  primaryKey: ["id"],
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  signal: new AbortController().signal,
  resume: undefined
})
