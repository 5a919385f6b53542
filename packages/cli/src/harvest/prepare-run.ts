import type { BoundSink } from "@tikflow/core/internal"
import { checkBaseUrl, type VideoQueryFilter } from "@tikflow/sources/internal"
import { uriSecrets } from "@tikflow/sinks/registry"
import { type Credentials, loadCredentials } from "../args/credentials.js"
import { usageError } from "../cli-error.js"
import type { CommandInput } from "../commands/command.js"
import { SinkResolver } from "../sinks/sink-resolver.js"
import type { JobSpec, RunSpec } from "./job-spec.js"
import { resolveListInput } from "./list-inputs.js"
import { toApiQuery } from "./video-query-input.js"

/** What a run checked before any request: credentials, each job's sinks and query, the input files it reads. */
export interface PreparedRun {
  readonly credentials: Credentials
  readonly sinks: ReadonlyMap<string, ReadonlyArray<BoundSink>>
  readonly queries: ReadonlyMap<string, VideoQueryFilter>
  /** Input lists read from files, by job (lists from an earlier job's output are read when that job ran). */
  readonly preread: ReadonlyMap<string, ReadonlyArray<string>>
}

/**
 * Checks everything a run needs before its first request (base URL, credentials, sinks, queries,
 * input files), so bad input fails with nothing spent. Secrets found on the way go to the redactor.
 */
export const prepareRun = async (
  spec: RunSpec,
  input: CommandInput,
  plugins: ReadonlyArray<{ readonly specifier: string; readonly field: string }>
): Promise<PreparedRun> => {
  const { settings, output, env } = input
  // Plain http to a remote host would send the client secret in clear: refused before anything else.
  checkBaseUrl(settings.baseUrlFlag, settings.baseUrl)
  const credentials = loadCredentials(settings.credentialsFile, env, (message) => output.notice(message))
  output.redactor.add(credentials.clientSecret)
  const resolver = await SinkResolver.create(process.cwd(), plugins)
  const sinks = new Map<string, ReadonlyArray<BoundSink>>()
  const queries = new Map<string, VideoQueryFilter>()
  for (const job of spec.jobs) {
    const bound: Array<BoundSink> = []
    for (const sink of job.sinks) {
      for (const secret of uriSecrets(sink.uri)) output.redactor.add(secret)
      const resolved = await resolver.resolve(sink)
      // Two writers on one output would interleave and cut each other's data.
      if (bound.some((earlier) => earlier.name === resolved.name)) {
        throw usageError(`${sink.field}: ${resolved.name} is given twice; give each output once`)
      }
      bound.push(resolved)
    }
    sinks.set(job.name, bound)
    if (job.source.endpoint === "videos") {
      queries.set(job.name, toApiQuery(job.source.query, job.fieldNames?.query ?? "--query"))
    }
  }
  // Input files are read now, so a missing file fails before the first request.
  const preread = new Map<string, ReadonlyArray<string>>()
  for (const job of spec.jobs) {
    const list = listInputOf(job)
    if (list && list.kind !== "job") preread.set(job.name, await resolveListInput(list, listField(job), ""))
  }
  return { credentials, sinks, queries, preread }
}

/** The job's input list (video ids or usernames), undefined for a video query. */
export const listInputOf = (job: JobSpec) =>
  job.source.endpoint === "videos" ? undefined : job.source.endpoint === "comments" ? job.source.videoIds : job.source.usernames

/** The flag or pipeline-file field that named the job's input list, for messages. */
export const listField = (job: JobSpec): string =>
  job.fieldNames?.list ?? (job.source.endpoint === "comments" ? "--video-ids-from" : "--usernames-from")
