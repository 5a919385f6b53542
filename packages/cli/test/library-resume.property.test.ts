// The library, not the CLI: a video query pipeline into NDJSON and Parquet, interrupted and resumed
// over and over against the sandbox with the API's quirks on (records repeated from earlier pages,
// short and empty pages, 500s that split windows after they delivered pages), must end with exactly
// the ground truth in both. It lives here because this package depends on sources, sinks and sandbox.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fc, test } from "@fast-check/vitest"
import { Cause, Effect, Exit, Schedule } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { BoundSink, PipelineSummary, VideoQuery } from "@tikflow/core/internal"
import { dedupe, FileCheckpointStore, persistentKeys, pipeline } from "@tikflow/core/internal"
import type { Sandbox } from "@tikflow/sandbox"
import { startSandbox } from "@tikflow/sandbox"
import { resolveSink } from "@tikflow/sinks/internal"
import { createTikTokClient, TikTokClient, videoQuery } from "@tikflow/sources/internal"
import { query as sql, readNdjson } from "./support/read-outputs.js"

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 31, world: { users: 60, videos: 1_500, startDate: "2024-01-01", days: 60 }, quotaPerDay: 1e9 })
})
afterAll(() => sandbox?.stop())

/** What the schedules exercised, over all runs (checked at the end: the property must not go toothless). */
const exercised = { splits: 0, duplicatesDropped: 0, resumes: 0 }

const videos = { and: [{ field_name: "region_code", operation: "IN", field_values: ["US", "GB", "DE", "JP", "BR"] }] } satisfies VideoQuery
const START = "20240103"
const END = "20240126"

/** One interruption: after `afterPages` pages, either a graceful stop (SIGINT) or a sink failing mid-epoch (a crash). */
interface Interruption {
  readonly afterPages: number
  readonly how: "stop" | "crash"
}

/** A sink that fails its write once `crashing()` says so: what the other sinks hold of the open epoch is never committed. */
const crashSwitch = (crashing: () => boolean): BoundSink => ({
  name: "crash-switch",
  open: async () => ({
    write: async () => {
      if (crashing()) throw new Error("simulated crash")
    },
    flush: async () => {},
    close: async () => {}
  })
})

const runOnce = async (dir: string, interruption: Interruption | undefined): Promise<"completed" | "interrupted" | "failed"> => {
  const client = createTikTokClient({
    baseUrl: sandbox.url,
    credentials: sandbox.credentials,
    rate: 10_000,
    quota: { limit: 1_000_000 },
    // One retry only: a page failing twice in a row splits its window (after pages were delivered).
    retry: {
      schedules: {
        ServerError: Schedule.recurs(1),
        NetworkError: Schedule.recurs(6),
        DecodeError: Schedule.recurs(6),
        RateLimitedError: Schedule.recurs(6),
        SearchIdExpiredError: Schedule.recurs(3)
      },
      maxRetries: 8
    },
    timeouts: { headersMs: 2_000, bodyMs: 2_000 }
  })
  const stop = new AbortController()
  let pages = 0
  const due = () => interruption !== undefined && pages >= interruption.afterPages
  try {
    const run = pipeline(videoQuery({ query: videos, startDate: START, endDate: END, windowDays: 8, maxCount: 20, concurrency: 2 }))
      .through(dedupe({ store: persistentKeys(join(dir, "keys")) }))
      .to(
        resolveSink(`ndjson:${join(dir, "videos.ndjson")}`),
        resolveSink(`parquet:${join(dir, "parquet")}`),
        crashSwitch(() => interruption?.how === "crash" && due())
      )
      .run({
        checkpoints: new FileCheckpointStore(join(dir, "state")),
        signal: stop.signal,
        epochMaxRecords: 15,
        onProgress: (event) => {
          if (event.type === "window" && event.state === "split") exercised.splits++
          if (event.type !== "page") return
          pages++
          if (interruption?.how === "stop" && due()) stop.abort()
        }
      })
    const exit = await Effect.runPromiseExit(Effect.provideService(run, TikTokClient, client.service))
    if (Exit.isSuccess(exit)) {
      const summary = exit.value as PipelineSummary
      exercised.duplicatesDropped += summary.duplicatesDropped
      if (summary.resumed) exercised.resumes++
      return summary.status
    }
    if (Cause.hasDies(exit.cause)) throw Cause.squash(exit.cause)
    return "failed"
  } finally {
    await client.close()
  }
}

test.prop([
  fc.record({
    repeat: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
    serverError: fc.double({ min: 0.05, max: 0.25, noNaN: true }),
    shortPage: fc.double({ min: 0, max: 0.1, noNaN: true }),
    emptyPage: fc.double({ min: 0, max: 0.05, noNaN: true })
  }),
  fc.array(fc.record({ afterPages: fc.integer({ min: 1, max: 14 }), how: fc.constantFrom("stop" as const, "crash" as const) }), { minLength: 1, maxLength: 4 })
], {
  numRuns: 12,
  // Besides the random schedules, one that surely splits windows after a resume.
  examples: [[{ repeat: 0.5, serverError: 0.3, shortPage: 0.05, emptyPage: 0 }, [{ afterPages: 3, how: "stop" }, { afterPages: 4, how: "crash" }]]]
})(
  "interrupted and resumed at any points under any fault schedule, NDJSON and Parquet end with the ground truth exactly once",
  async (faults, interruptions) => {
    sandbox.setFaults(faults)
    const dir = await mkdtemp(join(tmpdir(), "tikflow-library-resume-"))
    try {
      for (const interruption of interruptions) await runOnce(dir, interruption)
      // Run to completion; a 1-day window failing twice in a row fails the run, resumably: again.
      let outcome = await runOnce(dir, undefined)
      for (let attempt = 0; outcome !== "completed" && attempt < 30; attempt++) outcome = await runOnce(dir, undefined)
      expect(outcome).toBe("completed")

      const truth = sandbox.groundTruth.videos({ query: videos, start_date: START, end_date: END }).map((v) => String(v.id)).sort()
      const ndjson = readNdjson(join(dir, "videos.ndjson")).map((v) => String(v.id)).sort()
      expect(ndjson).toEqual(truth)
      const parquet = await sql(":memory:", `SELECT id FROM read_parquet('${join(dir, "parquet")}/**/*.parquet')`)
      expect(parquet.map((row) => String(row.id)).sort()).toEqual(truth)
    } finally {
      sandbox.setFaults({})
      await rm(dir, { recursive: true, force: true })
    }
  }
)

it("the schedules above split windows, repeated records and resumed runs", () => {
  expect(exercised.splits).toBeGreaterThan(0)
  expect(exercised.duplicatesDropped).toBeGreaterThan(0)
  expect(exercised.resumes).toBeGreaterThan(0)
})
