import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { archiveFileOf, archiveFilesIn, mergeChangedValues, pipeline, toPromise } from "@tikflow/core/internal"
import type { BoundSink, Checkpoint, CheckpointStore, PipelineSummary, Transform } from "@tikflow/core/internal"
import { uriSecrets } from "@tikflow/sinks/registry"
import { archivedPasses, archiveSource, inspectArchive } from "@tikflow/sources/internal"
import type { ArchivedHarvest } from "@tikflow/sources/internal"
import { existsSync } from "node:fs"
import { usageError } from "../cli-error.js"
import type { CommandInput } from "../commands/command.js"
import { ExitCode } from "../exit-codes.js"
import { changedInSummary, changedTotal, describeChanged } from "../harvest/changed-values.js"
import { stagesOf } from "../harvest/job-pipeline.js"
import type { SinkSpec, TransformSpec } from "../harvest/job-spec.js"
import { exitCodeForSignal } from "../signals.js"
import { SinkResolver } from "../sinks/sink-resolver.js"
import { type ArchivedPassDays, archivedPassDays, isVideoQueryArchive, replayedProvisional } from "./replayed-days.js"

export interface ReplaySpec {
  readonly archiveDir: string
  /** Harvest ids to replay (`--harvest`); empty: every harvest in the archive. */
  readonly harvests: ReadonlyArray<string>
  readonly sinks: ReadonlyArray<SinkSpec>
  readonly transforms: ReadonlyArray<TransformSpec>
}

/** The archive files to replay, each checked to exist, with its harvest learnt from its first line. */
const findHarvests = async (spec: ReplaySpec): Promise<ReadonlyArray<ArchivedHarvest | { readonly empty: string }>> => {
  if (!existsSync(spec.archiveDir)) throw usageError(`--archive: no archive directory at ${spec.archiveDir}`)
  const available = await archiveFilesIn(spec.archiveDir)
  const files = spec.harvests.length === 0 ? available : spec.harvests.map((id) => {
    const file = archiveFileOf(spec.archiveDir, id)
    if (!available.includes(file)) {
      throw usageError(`--harvest: no archive of ${id} in ${spec.archiveDir} (it holds ${available.length === 0 ? "none" : available.map(harvestOfFile).join(", ")})`)
    }
    return file
  })
  if (files.length === 0) throw usageError(`--archive: ${spec.archiveDir} holds no harvest archive (*.ndjson.gz)`)
  const found = []
  for (const file of files) found.push((await inspectArchive(file)) ?? { empty: harvestOfFile(file) })
  return found
}

const harvestOfFile = (file: string): string => basename(file, ".ndjson.gz")

const resolveSinks = async (spec: ReplaySpec, input: CommandInput): Promise<ReadonlyArray<BoundSink>> => {
  const plugins = ((input.values.plugin as ReadonlyArray<string> | undefined) ?? []).map((specifier) => ({ specifier, field: "--plugin" }))
  const resolver = await SinkResolver.create(process.cwd(), plugins)
  const bound: Array<BoundSink> = []
  for (const sink of spec.sinks) {
    for (const secret of uriSecrets(sink.uri)) input.output.redactor.add(secret)
    bound.push(await resolver.resolve(sink))
  }
  return bound
}

/**
 * Rebuilds sinks from the raw archive: each archived harvest's responses become its pages again
 * (same decoders), go through the same transforms and into the sinks, as a fresh harvest (each
 * sink first drops what it holds of that harvest), each page in the epoch the harvest committed it
 * in: a later run of the harvest resumes at its own epoch and keeps every replayed row (at a
 * replay's epoch numbering, it would drop those past it). No request is sent and no credentials read.
 */
export const runReplay = async (spec: ReplaySpec, input: CommandInput): Promise<ExitCode> => {
  const { output, settings, signal } = input
  const harvests = await findHarvests(spec)
  const sinks = await resolveSinks(spec, input)
  const keysDir = await mkdtemp(join(tmpdir(), "tikflow-replay-"))
  const summaries: Array<PipelineSummary & { readonly responses: number }> = []
  try {
    for (const harvest of harvests) {
      if ("empty" in harvest) {
        output.notice(`harvest ${harvest.empty}: its archive holds no committed response yet, nothing to replay`)
        continue
      }
      const summary = await replayHarvest(harvest, spec, sinks, join(keysDir, harvest.harvestId), input)
      summaries.push(summary)
      if (summary.status === "interrupted") {
        output.notice(`interrupted: replay of ${harvest.harvestId} stopped after ${summary.recordsOut} records; run it again to rebuild`)
        return exitCodeForSignal(signal.reason)
      }
    }
  } finally {
    await rm(keysDir, { recursive: true, force: true })
  }
  printReplaySummary(input, summaries, sinks)
  // As a harvest: values an output stored changed (a lone surrogate as U+FFFD) are in the exit code.
  return changedTotal(summaries.flatMap(changedInSummary)) > 0 ? ExitCode.ValuesChanged : ExitCode.Done
}

/**
 * One harvest, pass by pass as it was harvested (`ArchivedResponse.pass`): the first pass as a
 * fresh harvest (sinks drop the harvest's rows), each later one continuing after the epochs before
 * it with its own dedupe, as a later run of the harvest did (a provisional day fetched again
 * replaces its earlier rows in every sink: the days each pass asked for are read from the archive
 * once, when a second pass comes).
 */
const replayHarvest = async (
  harvest: ArchivedHarvest,
  spec: ReplaySpec,
  sinks: ReadonlyArray<BoundSink>,
  keysDir: string,
  { settings, signal }: CommandInput
): Promise<PipelineSummary & { readonly responses: number }> => {
  let total: (PipelineSummary & { readonly responses: number }) | undefined
  let passes = 0
  const videoQuery = isVideoQueryArchive(harvest)
  let passDays: ReadonlyArray<ArchivedPassDays> | undefined
  for await (const responses of archivedPasses(harvest)) {
    const after: Checkpoint | undefined = total === undefined
      ? undefined
      : { version: 1, harvestId: harvest.harvestId, epoch: total.lastEpoch, state: null, updatedAt: new Date(settings.now()).toISOString() }
    if (videoQuery && after !== undefined) passDays ??= [...(await archivedPassDays(harvest.file)).values()]
    const provisional = !videoQuery
      ? undefined
      : passDays === undefined
      ? replayedProvisional([{ days: new Set(), firstReceivedAt: harvest.first!.receivedAt }], 0, 0)
      : replayedProvisional(passDays, passes, after?.epoch ?? 0)
    const summary = await toPromise(
      pipeline(archiveSource(harvest, responses))
        .through(...(stagesOf(spec.transforms, join(keysDir, `pass-${++passes}`)) as [Transform<unknown, unknown, unknown, never>]))
        .to(...sinks)
        .run({
          fresh: after === undefined,
          checkpoints: after === undefined ? undefined : continuingAfter(after),
          signal,
          stateDir: settings.stateDir,
          epochMaxRecords: settings.commitEvery,
          epochMaxMs: settings.commitSeconds * 1000,
          provisional
        })
    )
    total = total === undefined ? { ...summary, responses: summary.pages } : {
      ...summary,
      responses: total.responses + summary.pages,
      recordsOut: total.recordsOut + summary.recordsOut,
      duplicatesDropped: total.duplicatesDropped + summary.duplicatesDropped,
      // Each pass's committed changes, added up per sink (the sinks are the same, in the same order).
      sinks: summary.sinks.map((sink, i) => ({ ...sink, changedValues: mergeChangedValues(total!.sinks[i]?.changedValues, sink.changedValues) })),
      durationMs: total.durationMs + summary.durationMs
    }
    if (summary.status === "interrupted") break
  }
  return total!
}

/** A store that holds only where the previous pass ended: the next pass's sinks keep what it wrote. */
const continuingAfter = (checkpoint: Checkpoint): CheckpointStore => ({
  name: "replay",
  load: async () => checkpoint,
  save: async () => undefined,
  clear: async () => undefined
})

const printReplaySummary = (
  { output, settings }: CommandInput,
  summaries: ReadonlyArray<PipelineSummary & { readonly responses: number }>,
  sinks: ReadonlyArray<BoundSink>
) => {
  if (settings.logFormat === "json") {
    output.result(JSON.stringify({
      type: "replay-summary",
      requests: 0,
      sinks: sinks.map((sink) => sink.name),
      harvests: summaries.map((s) => ({
        harvestId: s.harvestId,
        stream: s.stream,
        responses: s.responses,
        records: s.recordsOut,
        duplicatesDropped: s.duplicatesDropped,
        durationMs: s.durationMs
      })),
      changed: summaries.flatMap(changedInSummary),
      changedValues: changedTotal(summaries.flatMap(changedInSummary))
    }))
    return
  }
  output.result([
    ...summaries.map((s) =>
      `replayed ${s.harvestId} (${s.stream}): ${s.responses} archived responses → ${s.recordsOut} records` +
        (s.duplicatesDropped > 0 ? ` (${s.duplicatesDropped} repeats dropped)` : "")
    ),
    `into ${sinks.map((sink) => sink.name).join(", ")}; 0 requests sent`,
    ...summaries.flatMap(changedInSummary).map((entry) => `${entry.stream}: ${describeChanged(entry)}`)
  ].join("\n"))
}
