import { parseQueryText } from "@tikflow/core/internal"
import { type FaultOptions, GroundTruthRefusal, type Sandbox, type SandboxOptions, startSandbox } from "@tikflow/sandbox"
import { afterAll, beforeAll } from "vitest"

/** A small world: every harvest in the suite stays at a few dozen requests. */
export const smallWorld = { users: 60, videos: 900, startDate: "2024-01-01", days: 90 }

/** Faults on at mild rates, none with long backoffs (429s back off 2 s by default). */
export const mildFaults: FaultOptions = { serverError: 0.05, reset: 0.03, shortPage: 0.1, emptyPage: 0.05, malformed: 0.02 }

export interface SandboxFixture {
  readonly sandbox: Sandbox
  /** Environment for a CLI child: this sandbox, its credentials, a fast rate. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>
}

/** Starts a sandbox (in this test process, so its clock and faults can be changed) for a file's tests. */
export const useSandbox = (options: SandboxOptions = {}): SandboxFixture => {
  let sandbox: Sandbox | undefined
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, world: smallWorld, faults: mildFaults, ...options })
  })
  afterAll(async () => {
    await sandbox?.stop()
  })
  return {
    get sandbox() {
      if (!sandbox) throw new Error("sandbox not started")
      return sandbox
    },
    env(extra = {}) {
      if (!sandbox) throw new Error("sandbox not started")
      return {
        TIKFLOW_BASE_URL: sandbox.url,
        TIKTOK_CLIENT_KEY: sandbox.credentials.clientKey,
        TIKTOK_CLIENT_SECRET: sandbox.credentials.clientSecret,
        TIKFLOW_RATE: "200",
        ...extra
      }
    }
  }
}

const DAY = 86_400_000
const compact = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "")

/** The ids of every video a query yields over an inclusive date range of any length (windows of ≤ 30 days). */
export const expectedVideoIds = (sandbox: Sandbox, queryText: string, from: string, to: string): Set<string> =>
  new Set(expectedVideos(sandbox, queryText, from, to).map((video) => String(video.id)))

/** The videos a harvest of `queryText` over `from`..`to` must yield, as ground truth has them. */
const expectedVideos = (sandbox: Sandbox, queryText: string, from: string, to: string) => {
  const query = parseQueryText(queryText)
  const videos = []
  for (let start = Date.parse(`${from}T00:00:00Z`); start <= Date.parse(`${to}T00:00:00Z`); start += 30 * DAY) {
    const end = Math.min(start + 29 * DAY, Date.parse(`${to}T00:00:00Z`))
    videos.push(...sandbox.groundTruth.videos({ query, start_date: compact(start), end_date: compact(end) }))
  }
  return videos
}

/**
 * Whether a video of that harvest holds a NUL (the sandbox puts one in ~0.2% of descriptions): a
 * PostgreSQL output stores it escaped and the run, counting it as changed, ends 8 rather than 0.
 */
export const holdsNul = (sandbox: Sandbox, queryText: string, from: string, to: string): boolean =>
  expectedVideos(sandbox, queryText, from, to).some((video) => String((video as { video_description?: unknown }).video_description ?? "").includes("\u0000"))

/** Whether the API refuses this lookup (a private or unknown account or list, an unknown video). */
export const refuses = (lookup: () => unknown): boolean => {
  try {
    lookup()
    return false
  } catch (error) {
    if (error instanceof GroundTruthRefusal) return true
    throw error
  }
}

/** The exit code of a finished fan-out: 5 when the API refuses any of its items, else 0. */
export const fanOutExitCode = (items: ReadonlyArray<string>, lookup: (item: string) => unknown): number =>
  items.some((item) => refuses(() => lookup(item))) ? 5 : 0
