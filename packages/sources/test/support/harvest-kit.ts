import { Effect, Schedule, Stream } from "effect"
import type { ProgressEvent, RecordKind, RecordKinds, Source, SourcePage } from "@tikflow/core/internal"
import type { Sandbox, SandboxOptions } from "@tikflow/sandbox"
import { startSandbox } from "@tikflow/sandbox"
import { createTikTokClient, TikTokClient } from "@tikflow/sources/internal"
import type { TikTokClientConfig, TikTokClientHandle } from "@tikflow/sources/internal"

/** A world small enough for property runs. */
export const smallWorld = { users: 60, videos: 1500, startDate: "2024-01-01", days: 60 } as const

export const startSmallSandbox = (options: SandboxOptions = {}): Promise<Sandbox> =>
  startSandbox({ seed: 1, world: smallWorld, ...options })

/** Retries without real waiting: the sandbox's faults are random, not time-dependent. */
export const fastRetry = {
  schedules: {
    ServerError: Schedule.recurs(8),
    NetworkError: Schedule.recurs(8),
    DecodeError: Schedule.recurs(8),
    RateLimitedError: Schedule.recurs(8),
    SearchIdExpiredError: Schedule.recurs(3)
  },
  maxRetries: 12
} as const

export interface Harness {
  readonly client: TikTokClientHandle
  readonly events: Array<ProgressEvent>
}

export const clientFor = (sandbox: Sandbox, config: Partial<TikTokClientConfig> = {}): Harness => {
  const events: Array<ProgressEvent> = []
  const client = createTikTokClient({
    baseUrl: sandbox.url,
    credentials: sandbox.credentials,
    rate: 10_000,
    quota: { limit: 100_000 },
    retry: fastRetry,
    timeouts: { headersMs: 2_000, bodyMs: 2_000 },
    onProgress: (event) => events.push(event),
    ...config
  })
  return { client, events }
}

/** Runs a source's pages to the end on `client`. */
export const collectPages = <K extends RecordKind>(
  source: Source<K, TikTokClient>,
  client: TikTokClientHandle,
  options: { readonly resumeFrom?: unknown; readonly take?: number } = {}
): Promise<Array<SourcePage<RecordKinds[K]>>> => {
  const pages = source.pages({ resumeFrom: options.resumeFrom })
  const limited = options.take === undefined ? pages : pages.pipe(Stream.take(options.take))
  return Effect.runPromise(
    Stream.runCollect(limited).pipe(Effect.provideService(TikTokClient, client.service))
  ).then((chunk) => Array.from(chunk))
}

export const recordsOfPages = <R>(pages: ReadonlyArray<SourcePage<R>>): Array<R> => pages.flatMap((p) => [...p.records])

/**
 * A decoded record agrees with the API-shape truth: every field the API sent is equal (JSON-text
 * columns compared parsed), every field it omitted is null.
 */
export const sameRecord = (record: Record<string, unknown>, truth: Record<string, unknown>, fields: ReadonlyArray<string>): boolean =>
  fields.every((field) => {
    const mine = record[field]
    const theirs = truth[field]
    if (theirs === undefined) return mine === null
    if (typeof theirs === "object" && theirs !== null && typeof mine === "string") return JSON.stringify(JSON.parse(mine)) === JSON.stringify(theirs)
    if (Array.isArray(theirs)) return JSON.stringify(mine) === JSON.stringify(theirs.map(String))
    return mine === theirs
  })

/** YYYYMMDD of `days` after 2024-01-01. */
export const dayOf = (days: number): string =>
  new Date(Date.UTC(2024, 0, 1) + days * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "")

export const researchRequests = (sandbox: Sandbox): number =>
  Object.entries(sandbox.stats.requests).reduce((n, [name, count]) => name === "oauth/token" ? n : n + count, 0)
