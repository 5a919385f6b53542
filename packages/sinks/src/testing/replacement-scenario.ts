import type { Video } from "@tikflow/core/internal"
import { videoFields } from "@tikflow/core/internal"
import fc from "fast-check"
import type { ContractEpoch, EpochFate } from "./contract-scenario.js"

/** The first of the scenario's five UTC days, 2024-02-01, in unix seconds. */
export const FIRST_DAY = 1_706_745_600
const DAY = 86_400
export const dayText = (index: number): string => new Date((FIRST_DAY + index * DAY) * 1000).toISOString().slice(0, 10)

/**
 * A harvest whose later run fetches provisional days again: a first run's epochs over five days
 * (the last `provisionalDays` provisional), then a run that fetches `replaced` of those days again —
 * some videos gone, some with other counts, some new — over epochs that may crash.
 */
export interface ReplacementScenario {
  readonly first: ReadonlyArray<ContractEpoch>
  readonly second: ReadonlyArray<ContractEpoch>
  /** Day indexes (0–4) at and after which days are provisional. */
  readonly provisionalFrom: number
  /** Day indexes the second run fetches again. */
  readonly replaced: ReadonlyArray<number>
}

const video = (id: string, day: number, second: number, likes: number): Video => ({
  ...(Object.fromEntries(videoFields.map((field) => [field, null])) as unknown as Video),
  id,
  create_time: FIRST_DAY + day * DAY + second,
  like_count: likes
})

/** Records split into 1–3 epochs of 1–2 batches, each epoch with a fate. */
const epochsArb = (videos: ReadonlyArray<Video>, fates: fc.Arbitrary<EpochFate>): fc.Arbitrary<Array<ContractEpoch>> =>
  fc.array(fc.nat({ max: videos.length }), { minLength: 0, maxLength: 2 }).chain((cuts) => {
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), videos.length]
    const slices = bounds.slice(1).map((end, i) => videos.slice(bounds[i], end))
    return fc.tuple(...slices.map((slice) =>
      fc.record({
        batches: fc.nat({ max: slice.length }).map((cut) => [slice.slice(0, cut), slice.slice(cut)].filter((b) => b.length > 0)),
        fate: fates
      })
    ))
  })

const crashes = fc.oneof(
  { weight: 3, arbitrary: fc.constant<EpochFate>("committed") },
  { weight: 1, arbitrary: fc.constantFrom<EpochFate>("crash-mid-write", "crash-before-flush", "crash-after-flush") }
)

export const replacementScenarioArb: fc.Arbitrary<ReplacementScenario> = fc
  .record({
    olds: fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String), { minLength: 1, maxLength: 24 }),
    news: fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map((n) => `n${n}`), { maxLength: 8 }),
    provisionalFrom: fc.integer({ min: 2, max: 4 })
  })
  .chain(({ olds, news, provisionalFrom }) =>
    fc.record({
      days: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: olds.length, maxLength: olds.length }),
      newDays: fc.array(fc.nat(), { minLength: news.length, maxLength: news.length }),
      // Per old video on a replaced day: kept with new counts, or gone from the API.
      kept: fc.array(fc.boolean(), { minLength: olds.length, maxLength: olds.length }),
      replaced: fc.subarray([...Array(5 - provisionalFrom).keys()].map((i) => provisionalFrom + i), { minLength: 1 })
    }).chain(({ days, newDays, kept, replaced }) => {
      const firstVideos = olds.map((id, i) => video(id, days[i], i, i))
      const secondVideos = [
        ...olds.flatMap((id, i) => (replaced.includes(days[i]) && kept[i] ? [video(id, days[i], i, 1_000 + i)] : [])),
        ...news.map((id, i) => video(id, replaced[newDays[i] % replaced.length], 100 + i, 2_000 + i))
      ]
      return fc.record({
        first: epochsArb(firstVideos, fc.constant<EpochFate>("committed")),
        second: epochsArb(secondVideos, crashes),
        provisionalFrom: fc.constant(provisionalFrom),
        replaced: fc.constant(replaced)
      })
    })
  )
