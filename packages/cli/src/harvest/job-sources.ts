import type { RecordKind, Source } from "@tikflow/core/internal"
import {
  comments,
  harvestIdOf,
  followers,
  following,
  likedVideos,
  pinnedVideos,
  repostedVideos,
  type TikTokClient,
  userInfo,
  videoQuery,
  type VideoQueryFilter
} from "@tikflow/sources/internal"
import type { JobSpec, SourceSpec } from "./job-spec.js"

/** What a job harvests, as a `@tikflow/sources` source. `keys` is the list length of a keyed harvest. */
export interface JobSource {
  readonly source: Source<RecordKind, TikTokClient>
  readonly keys: number | undefined
  /** For progress and messages: `videos 2024-01-01..2024-01-31`, `followers of 12 users`. */
  readonly label: string
}

/** A dedupe stage follows the job's source: its repeats are dropped (and counted) there. */
export const dedupeFollows = (job: JobSpec): boolean => job.transforms.some((transform) => transform.kind === "dedupe")

/** What a job's source needs besides its spec: the parsed query, the read list, the days to harvest. */
export interface ResolvedInputs {
  readonly query?: VideoQueryFilter | undefined
  readonly list?: ReadonlyArray<string> | undefined
  /** Only these day ranges of a video query (what its history lacks). */
  readonly days?: ReadonlyArray<readonly [string, string]> | undefined
}

/**
 * `dedupeFollows`: a dedupe stage follows the source, so the video query keeps the API's repeats
 * (the stage drops and counts them) instead of holding a set of every id of each window in progress.
 */
export const jobSource = (
  spec: SourceSpec,
  resolved: ResolvedInputs,
  concurrency: number,
  dedupeFollows = false
): JobSource => {
  const built = buildSource(spec, resolved, concurrency, dedupeFollows)
  // The CLI's harvest: the same whatever range, days or list this run takes (the library source's id has them).
  return { ...built, source: { ...built.source, harvestId: harvestIdOf(built.source.stream, harvestRequestOf(spec, resolved.query)) } }
}

/**
 * What names a harvest: the endpoint and the request without its date range or id list, so every
 * run of the same query extends one harvest and its history. `queryText` is for display only.
 */
export const harvestRequestOf = (spec: SourceSpec, query: VideoQueryFilter | undefined): Record<string, unknown> =>
  spec.endpoint === "videos"
    ? { endpoint: spec.endpoint, query: query ?? null, fields: spec.fields ?? null, windowDays: spec.windowDays, random: spec.random }
    : { endpoint: spec.endpoint }

const buildSource = (
  spec: SourceSpec,
  resolved: ResolvedInputs,
  concurrency: number,
  dedupeFollows = false
): JobSource => {
  if (spec.endpoint === "videos") {
    return {
      source: videoQuery({
        query: resolved.query!,
        startDate: spec.from,
        endDate: spec.to,
        windowDays: spec.windowDays,
        ...(resolved.days ? { days: resolved.days } : {}),
        random: spec.random,
        ...(spec.keepRepeats === true || dedupeFollows ? { repeats: "keep" as const } : {}),
        concurrency,
        ...(spec.fields ? { fields: spec.fields } : {})
      }),
      keys: undefined,
      label: `videos ${spec.from}..${spec.to}`
    }
  }
  const list = resolved.list ?? []
  const plural = (noun: string) => `${list.length} ${noun}${list.length === 1 ? "" : "s"}`
  if (spec.endpoint === "comments") {
    return { source: comments({ videoIds: list, concurrency }), keys: list.length, label: `comments of ${plural("video")}` }
  }
  const options = { usernames: list, concurrency }
  const make: Record<typeof spec.endpoint, () => Source<RecordKind, TikTokClient>> = {
    "user-info": () => userInfo(options),
    followers: () => followers(options),
    following: () => following(options),
    "liked-videos": () => likedVideos(options),
    "pinned-videos": () => pinnedVideos(options),
    "reposted-videos": () => repostedVideos(options)
  }
  return { source: make[spec.endpoint](), keys: list.length, label: `${spec.endpoint} of ${plural("user")}` }
}
