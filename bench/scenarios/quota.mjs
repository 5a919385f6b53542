// Quota efficiency: one multi-month video query through the Effect source (faults as the sandbox
// is set), collecting distinct ids; the harness reads the sandbox's request and fault counters.
import { dependencyOf, load } from "../lib/dist.mjs"
import { benchClient, videoSource } from "../lib/harvest.mjs"
import { emit, measure, paramsOf } from "../lib/report.mjs"

const params = paramsOf()
const core = await load("core")
const sources = await load("sources")
const { Effect, Stream } = await dependencyOf("sources", "effect")

emit(await measure(async () => {
  const retries = {}
  let requests = 0
  const client = benchClient(params, {
    // Short waits: the figure counts requests, which do not depend on how long a retry waits
    // (Retry-After is 0 here too); default waits would make five runs take minutes.
    // A `timeout` fault never answers: wait 2 s for headers, not the default 30 s.
    timeouts: { connectMs: 2_000, headersMs: 2_000, bodyMs: 2_000 },
    retry: {
      maxRetries: 12,
      schedules: Object.fromEntries(["ServerError", "NetworkError", "DecodeError", "RateLimitedError", "SearchIdExpiredError"]
        .map((kind) => [kind, core.Retry.backoff({ base: "5 millis", cap: "50 millis", times: 12 })]))
    },
    onProgress: (event) => {
      if (event.type === "retry") retries[event.kind] = (retries[event.kind] ?? 0) + 1
      if (event.type === "request") requests++
    }
  })
  try {
    const ids = new Set()
    await Effect.runPromise(
      Stream.runForEach(sources.recordsOf(videoSource(params, { query: params.query })), (video) => Effect.sync(() => ids.add(video.id)))
        .pipe(Effect.provideService(sources.TikTokClient, client.service))
    )
    return { records: ids.size, clientRequests: requests, retries }
  } finally {
    await client.close()
  }
}))
