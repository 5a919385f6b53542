/**
 * What one harvest job is, whichever way the user described it: flags of a per-endpoint command,
 * a job of a pipeline file, or the demo's script. One runner executes them all.
 */

/** The endpoints, named as the CLI commands that harvest them. */
export const endpoints = [
  "videos", "user-info", "comments", "followers", "following", "liked-videos", "pinned-videos", "reposted-videos"
] as const
export type Endpoint = (typeof endpoints)[number]

export type UserEndpoint = Exclude<Endpoint, "videos" | "comments">
export const isUserEndpoint = (endpoint: Endpoint): endpoint is UserEndpoint =>
  endpoint !== "videos" && endpoint !== "comments"

/** Where a list of usernames or video ids comes from. */
export type ListInput =
  | { readonly kind: "values"; readonly values: ReadonlyArray<string> }
  /** A text/Parquet file or `duckdb:file#table`. */
  | { readonly kind: "file"; readonly path: string; readonly field: string }
  /** The records an earlier job of the same run delivered (video ids, or their authors' usernames). */
  | { readonly kind: "job"; readonly job: string; readonly field: string }

export type SourceSpec =
  | {
    readonly endpoint: "videos"
    /** The query as text (tikflow's expression syntax) or as the API's JSON object. */
    readonly query: string | object
    readonly from: string
    readonly to: string
    readonly windowDays: number
    readonly fields: ReadonlyArray<string> | undefined
    readonly random: boolean
    /** Deliver a video the API repeats within a window again (`--no-dedupe`), rather than once. */
    readonly keepRepeats?: boolean
  }
  | { readonly endpoint: "comments"; readonly videoIds: ListInput }
  | { readonly endpoint: UserEndpoint; readonly usernames: ListInput }

/**
 * Dedupe by primary key, keeping the first occurrence or the one with the greatest `last` field;
 * or a lookup join adding each record's user info (looked up by the username in field `on`) as
 * field `as`, with a policy for users the API does not know.
 */
export type TransformSpec =
  | { readonly kind: "dedupe"; readonly keep: "first" | { readonly last: string } }
  | {
    readonly kind: "join"
    readonly endpoint: "user-info"
    readonly on: string
    readonly as: string
    readonly miss: "drop" | "keep" | "fail"
  }

export interface SinkSpec {
  readonly uri: string
  /** Extra options (a pipeline file's `{uri, options}`), merged over the URI's query string. */
  readonly options: Readonly<Record<string, string | number | boolean>>
  /** Where it was given, for messages: `--out`, `sinks[1]`. */
  readonly field: string
}

export interface JobSpec {
  readonly name: string
  /** How messages name this job's query and input list (`--query`, `pipeline.yaml:5: jobs[0].source.query`). */
  readonly fieldNames?: { readonly query?: string; readonly list?: string }
  readonly source: SourceSpec
  readonly transforms: ReadonlyArray<TransformSpec>
  readonly sinks: ReadonlyArray<SinkSpec>
}

export interface RunSpec {
  /** Names the run for resume messages: the command line or the pipeline file. */
  readonly label: string
  readonly jobs: ReadonlyArray<JobSpec>
  /** A pipeline file's `archive:` (a directory, or false for none); `--archive`/`--no-archive` win. */
  readonly archive?: string | false | undefined
}

/** The API's limit on one video query window, and tikflow's default. */
export const MAX_WINDOW_DAYS = 30
