import type { SinkPlugin, StreamContext, SinkWriter, Video } from "@tikflow/core/internal"
import { recordKinds } from "@tikflow/core/internal"
import fc from "fast-check"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bindSink } from "../registry/bind-sink.js"
import { checkSinkPlugin } from "../registry/check-plugin.js"
import { parseSinkUri } from "../registry/sink-uri.js"
import type { ContractScenario } from "./contract-scenario.js"
import { contractScenarioArb } from "./contract-scenario.js"

/** Where one scenario's output went, for `read`. */
export interface ContractOutput {
  /** A fresh directory for this scenario. */
  readonly dir: string
  /** The sink URI the plugin was given (`uri(dir)`). */
  readonly uri: string
  /** The stream written: `videos`. */
  readonly stream: string
}

export interface SinkContractOptions {
  /**
   * Reads back what the plugin wrote for `output.stream`, through the plugin's own reader or
   * DuckDB: the rows, each with the record's `id` (as a string, number or bigint).
   */
  readonly read: (output: ContractOutput) => Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>
  /** The sink URI for an output directory; default `<first scheme>:<dir>`. */
  readonly uri?: (dir: string) => string
  /** Also read after every acknowledged flush while the writer is open (default true). */
  readonly readWhileOpen?: boolean
  /** fast-check runs (default 20) and an optional seed to replay a failure. */
  readonly numRuns?: number
  readonly seed?: number
}

const STREAM = "videos"
const silent = { debug() {}, info() {}, warn() {}, error() {} }

export const contextFor = (harvestId: string, committed: number): StreamContext => ({
  harvestId,
  recordKind: "video",
  stream: STREAM,
  primaryKey: recordKinds.video.primaryKey,
  logger: silent,
  signal: new AbortController().signal,
  resume: committed > 0 ? { epoch: committed } : undefined
})

/** The harvest every scenario plays. */
export const HARVEST_ID = "contract-harvest"

/** A scenario's fresh directory, the output the plugin writes for it (`options.uri`), and the sink bound to that URI. */
export const scenarioSink = async (plugin: SinkPlugin<unknown>, options: SinkContractOptions, contract: string) => {
  const dir = await mkdtemp(join(tmpdir(), `tikflow-${contract}-${plugin.name}-`))
  const uri = (options.uri ?? ((d: string) => `${plugin.schemes[0]}:${d}`))(dir)
  const output: ContractOutput = { dir, uri, stream: STREAM }
  return { output, sink: bindSink(plugin, parseSinkUri(uri)) }
}

export const checkpointAt = (harvestId: string, epoch: number) => ({ version: 1 as const, harvestId, epoch, state: epoch, updatedAt: new Date(0).toISOString() })

/** Compares what was read with the ids expected: each exactly once, nothing else. */
const compare = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>, expected: ReadonlyArray<string>, when: string): void => {
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(String(row.id), (counts.get(String(row.id)) ?? 0) + 1)
  const missing = expected.filter((id) => !counts.has(id))
  const repeated = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`)
  const unexpected = [...counts.keys()].filter((id) => !expected.includes(id))
  if (missing.length + repeated.length + unexpected.length === 0) return
  throw new Error(
    `${when}: expected ${expected.length} record(s) exactly once, read ${rows.length}` +
      (repeated.length > 0 ? `; duplicated: ${repeated.slice(0, 5).join(", ")}` : "") +
      (missing.length > 0 ? `; missing: ${missing.slice(0, 5).join(", ")}` : "") +
      (unexpected.length > 0 ? `; written before their epoch was acknowledged: ${unexpected.slice(0, 5).join(", ")}` : "")
  )
}

const idsThrough = (scenario: ContractScenario, epoch: number): Array<string> =>
  scenario.epochs.slice(0, epoch).flatMap((e) => e.batches.flat().map((video: Video) => video.id))

/**
 * Plays one scenario as runs of the pipeline runner would: epochs written and flushed, crashes that
 * abandon the writer (no flush, no close), resumes from the last acknowledged epoch re-delivering
 * the rest, and checks the output after every acknowledged flush and at the end.
 */
const playScenario = async (plugin: SinkPlugin<unknown>, options: SinkContractOptions, scenario: ContractScenario): Promise<void> => {
  const { output, sink } = await scenarioSink(plugin, options, "contract")
  const harvestId = HARVEST_ID
  const fates = scenario.epochs.map((epoch) => epoch.fate)
  let committed = 0
  let run = 0
  while (committed < scenario.epochs.length) {
    if (run++ > 0 && scenario.probeBeforeResume) await (await sink.open(contextFor(harvestId, 0))).close()
    const writer = await sink.open(contextFor(harvestId, committed))
    const crashed = await playRun(writer, scenario, fates, committed, async (epoch) => {
      if (options.readWhileOpen !== false) compare(await options.read(output), idsThrough(scenario, epoch), `after flush(${epoch}) in run ${run}`)
    })
    if (crashed === undefined) {
      await writer.close()
      break
    }
    committed = crashed
  }
  compare(await options.read(output), idsThrough(scenario, scenario.epochs.length), `after ${run} run(s)`)
}

/**
 * One run from `committed + 1`: returns the last acknowledged epoch if the run crashed, undefined
 * when every epoch was committed. A crash fate happens once; the resumed run commits that epoch.
 */
export const playRun = async (
  writer: SinkWriter,
  scenario: Pick<ContractScenario, "epochs">,
  fates: Array<ContractScenario["epochs"][number]["fate"]>,
  committed: number,
  afterFlush: (epoch: number) => Promise<void>
): Promise<number | undefined> => {
  /** Batches of the epoch already written during the flush before it. */
  let early = 0
  for (let epoch = committed + 1; epoch <= scenario.epochs.length; epoch++) {
    const { batches } = scenario.epochs[epoch - 1]
    const fate = fates[epoch - 1]
    fates[epoch - 1] = "committed"
    for (const [i, records] of batches.entries()) {
      if (fate === "crash-mid-write" && i === Math.max(1, batches.length - 1)) return epoch - 1
      if (i >= early) await writer.write({ records, epoch })
    }
    if (fate === "crash-mid-write" || fate === "crash-before-flush") return epoch - 1
    const flushed = writer.flush({ epoch, checkpoint: checkpointAt("contract-harvest", epoch) })
    // A writer declaring `writesDuringFlush` gets the next epoch's first batch while this flush
    // runs, as the pipeline runner gives it (a crash of any fate always follows that batch).
    const next = writer.writesDuringFlush === true ? scenario.epochs[epoch]?.batches[0] : undefined
    early = next === undefined ? 0 : 1
    await Promise.all([flushed, next === undefined ? undefined : writer.write({ records: next, epoch: epoch + 1 })])
    if (fate === "crash-after-flush") return epoch - 1
    await afterFlush(epoch)
  }
  return undefined
}

/**
 * The sink contract as a property: over fast-check-generated records, epochs and crashes, every
 * record lands exactly once and nothing of an unacknowledged epoch survives a resume. Rejects with
 * the smallest failing scenario.
 */
export const runSinkContract = (plugin: SinkPlugin<any>, options: SinkContractOptions): Promise<void> =>
  checkContractProperty("sink contract", plugin, options, contractScenarioArb, (checked, scenario) => playScenario(checked, options, scenario), describeScenario)

/**
 * Plays a contract's scenarios against a plugin as a fast-check property. Rejects with `what` failed
 * for the plugin, the smallest failing scenario (as `describe` writes it) and the seed to replay it.
 */
export const checkContractProperty = async <S>(
  what: string,
  plugin: SinkPlugin<any>,
  options: SinkContractOptions,
  scenarios: fc.Arbitrary<S>,
  play: (checked: SinkPlugin<any>, scenario: S) => Promise<void>,
  describe: (scenario: S) => string
): Promise<void> => {
  const checked = checkSinkPlugin(plugin, plugin?.name ?? "(unnamed)")
  const details = await fc.check(
    fc.asyncProperty(scenarios, (scenario) => play(checked, scenario)),
    { numRuns: options.numRuns ?? 20, ...(options.seed === undefined ? {} : { seed: options.seed }) }
  )
  if (!details.failed) return
  const cause = details.errorInstance
  const scenario = details.counterexample?.[0]
  throw new Error(
    `${what} of ${checked.name}: ${cause instanceof Error ? cause.message : String(cause)}\n` +
      (scenario === undefined ? "" : `  scenario: ${describe(scenario)}\n`) +
      `  replay with { seed: ${details.seed} } (fast-check path ${JSON.stringify(details.counterexamplePath)})`,
    { cause }
  )
}

/** `e1 [1, 2] committed · e2 [3] | [4] crash-after-flush · …`: the scenario without the records' other fields. */
const describeScenario = (scenario: ContractScenario): string =>
  scenario.epochs
    .map((epoch, i) => `e${i + 1} ${epoch.batches.map((batch) => `[${batch.map((video) => video.id).join(", ")}]`).join(" | ") || "[]"} ${epoch.fate}`)
    .join(" · ") + (scenario.probeBeforeResume ? " (probe open before each resume)" : "")
