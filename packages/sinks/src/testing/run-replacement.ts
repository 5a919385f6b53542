import type { ProvisionalDays, SinkPlugin, Video } from "@tikflow/core/internal"
import type { SinkContractOptions } from "./run-contract.js"
import { checkContractProperty, contextFor, HARVEST_ID, playRun, scenarioSink } from "./run-contract.js"
import type { ReplacementScenario } from "./replacement-scenario.js"
import { dayText, FIRST_DAY, replacementScenarioArb } from "./replacement-scenario.js"

const DAY = 86_400

/** The first run's videos, split by whether the second run fetched their day again. */
const firstRunVideos = (scenario: ReplacementScenario): { readonly replaced: Array<Video>; readonly kept: Array<Video> } => {
  const days = new Set(scenario.replaced)
  const replaced: Array<Video> = []
  const kept: Array<Video> = []
  for (const video of scenario.first.flatMap((epoch) => epoch.batches.flat())) {
    if (days.has(Math.floor((video.create_time! - FIRST_DAY) / DAY))) replaced.push(video)
    else kept.push(video)
  }
  return { replaced, kept }
}

/** What the output must hold at the end: the first run's videos of days not fetched again, then the second run's, by id. */
const expectedOf = (scenario: ReplacementScenario): Map<string, string> => {
  const expected = new Map<string, string>()
  for (const video of firstRunVideos(scenario).kept) expected.set(video.id, String(video.like_count))
  for (const video of scenario.second.flatMap((epoch) => epoch.batches.flat())) expected.set(video.id, String(video.like_count))
  return expected
}

/** Each expected id exactly once with its newest `like_count`, nothing else. */
const compareValues = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>, expected: Map<string, string>): void => {
  const seen = new Map<string, Array<string>>()
  for (const row of rows) seen.set(String(row.id), [...(seen.get(String(row.id)) ?? []), String(row.like_count)])
  const problems = [
    ...[...expected].filter(([id]) => !seen.has(id)).map(([id]) => `${id} missing`),
    ...[...seen].filter(([id]) => !expected.has(id)).map(([id]) => `${id} should be gone (its day was fetched again without it)`),
    ...[...seen].filter(([, likes]) => likes.length > 1).map(([id, likes]) => `${id} ×${likes.length}`),
    ...[...seen].filter(([id, likes]) => expected.has(id) && likes.length === 1 && likes[0] !== expected.get(id))
      .map(([id, likes]) => `${id} like_count ${likes[0]}, expected ${expected.get(id)}`)
  ]
  if (problems.length > 0) throw new Error(`after the days were fetched again: ${problems.slice(0, 6).join("; ")}`)
}

/**
 * What a `replaceDays` that says how many rows it removed must say at the run's start: every row
 * the first run delivered of the days fetched again (the CLI reports any shortfall as rows kept).
 */
const checkReplacedRows = (replacedRows: number | undefined, scenario: ReplacementScenario): void => {
  if (replacedRows === undefined) return
  const earlier = firstRunVideos(scenario).replaced.length
  if (replacedRows !== earlier) throw new Error(`replaceDays resolved to ${replacedRows} row(s) removed; the first run delivered ${earlier} of those days`)
}

/**
 * Plays one scenario: the first run commits every epoch with `provisional` set; the second run
 * fetches days again from the first run's last epoch, crashing and resuming as its fates say.
 */
const playReplacement = async (plugin: SinkPlugin<unknown>, options: SinkContractOptions, scenario: ReplacementScenario): Promise<void> => {
  const { output, sink } = await scenarioSink(plugin, options, "replace")
  const harvestId = HARVEST_ID
  const from = FIRST_DAY + scenario.provisionalFrom * DAY
  const provisional: ProvisionalDays = { field: "create_time", from }
  const through = scenario.first.length
  // Rows carry their provenance, as the runner stamps it: a sink tells its harvest's rows apart by it.
  const stamped = (run: ReplacementScenario["first"], fetchedAt: string) =>
    run.map((epoch) => ({ ...epoch, batches: epoch.batches.map((batch) => batch.map((video) => ({ ...video, _harvest_id: harvestId, _fetched_at: fetchedAt, _log_id: null }))) }))
  const epochs = [...stamped(scenario.first, "2024-02-05T12:00:00.000Z"), ...stamped(scenario.second, "2024-02-07T12:00:00.000Z")]
  const fates = epochs.map((epoch) => epoch.fate)
  const first = await sink.open({ ...contextFor(harvestId, 0), provenance: true, provisional })
  if (await playRun(first, { epochs: epochs.slice(0, through) }, fates, 0, async () => {}) !== undefined) throw new Error("the first run cannot crash")
  await first.close()
  const replaces = { field: "create_time", days: scenario.replaced.map(dayText), through }
  let committed = through
  for (let run = 0; committed < epochs.length; run++) {
    const writer = await sink.open({ ...contextFor(harvestId, committed), provenance: true, provisional: { ...provisional, replaces } })
    if (run === 0 && writer.replaceDays === undefined) throw new Error(`${plugin.name}: its writer has no replaceDays hook (sink contract 3)`)
    const crashed = await playRun(writer, { epochs }, fates, committed, async () => {})
    if (run === 0) checkReplacedRows(writer.replacedRows, scenario)
    if (crashed === undefined) {
      await writer.close()
      break
    }
    committed = crashed
  }
  compareValues(await options.read(output), expectedOf(scenario))
}

/**
 * Sink contract 3 as a property: after a run fetches provisional days again (with crashes and
 * resumes at any epoch), the output holds each video once with its newest values, and the videos
 * the API no longer lists on those days are gone. `read` must return `id` and `like_count`.
 */
export const runDayReplacementContract = (plugin: SinkPlugin<any>, options: SinkContractOptions): Promise<void> =>
  checkContractProperty("day replacement", plugin, options, replacementScenarioArb, (checked, scenario) => playReplacement(checked, options, scenario), (scenario) =>
    JSON.stringify(scenario, (_k, v: unknown) => (typeof v === "object" && v !== null && "id" in v ? `${(v as Video).id}@${(v as Video).create_time}:${(v as Video).like_count}` : v)))
