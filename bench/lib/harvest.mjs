// The harvests the scenarios time: tikflow's Effect and RxJS sources (the bare baseline is
// baseline-harvest.mjs, which loads none of tikflow).
import { dependencyOf, load } from "./dist.mjs"
import { allVideos } from "./baseline-harvest.mjs"

const core = await load("core")
const sources = await load("sources")
const effect = await dependencyOf("sources", "effect")
// An RxJS program has rxjs loaded before it subscribes (it imports it to compose and subscribe), as
// the Effect face has effect: loaded here, untimed. The library loads it on first use (core's
// `rxjs()`, the same CommonJS instance), which otherwise timed ~30–40 ms of module loading as part
// of the RxJS harvest: ~0.6–0.8 µs per record at 50k, the whole gap between the two faces.
await dependencyOf("sources", "rxjs")

const { Effect, Stream } = effect

/** A client with rate limit and quota out of the way: the benchmarks measure throughput. */
export const benchClient = (params, extra = {}) =>
  sources.createTikTokClient({
    baseUrl: params.url,
    credentials: params.credentials,
    rate: 1_000_000,
    quota: { limit: 1_000_000_000 },
    ...extra
  })

export const videoSource = (params, extra = {}) =>
  sources.videoQuery({
    query: allVideos,
    startDate: params.startDate,
    endDate: params.endDate,
    concurrency: params.concurrency ?? 2,
    // `repeats: "keep"` is the source as the CLI runs it (a dedupe stage follows and drops them).
    ...(params.repeats ? { repeats: params.repeats } : {}),
    ...extra
  })

/** The Effect face: `recordsOf(videoQuery(…))` run to completion on the client's service. */
export const effectHarvest = async (params) => {
  const client = benchClient(params)
  try {
    const count = await Effect.runPromise(
      Stream.runCount(sources.recordsOf(videoSource(params))).pipe(Effect.provideService(sources.TikTokClient, client.service))
    )
    return { records: count }
  } finally {
    await client.close()
  }
}

/** The RxJS face: `toObservable(videoQuery(…), client)` counted by a subscriber. */
export const rxjsHarvest = async (params) => {
  const client = benchClient(params)
  try {
    let records = 0
    await new Promise((resolve, reject) =>
      sources.toObservable(videoSource(params), client).subscribe({ next: () => records++, error: reject, complete: resolve }))
    return { records }
  } finally {
    await client.close()
  }
}
