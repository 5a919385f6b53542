import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { archiveFileOf, archiveFilesIn, pipeline, toPromise } from "@tikflow/core/internal"
import type { BoundSink, PipelineSummary, Transform } from "@tikflow/core/internal"
import { uriSecrets } from "@tikflow/sinks/registry"
import { archiveSource, inspectArchive } from "@tikflow/sources/internal"
import type { ArchivedHarvest } from "@tikflow/sources/internal"
import { existsSync } from "node:fs"
import { usageError } from "../cli-error.js"
import type { CommandInput } from "../commands/command.js"
import { ExitCode } from "../exit-codes.js"
import { stagesOf } from "../harvest/run-harvest.js"
import type { SinkSpec, TransformSpec } from "../harvest/job-spec.js"
import { exitCodeForSignal } from "../signals.js"
import { SinkResolver } from "../sinks/sink-resolver.js"

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

const harvestOfFile = (file: string): string => file.slice(file.lastIndexOf("/") + 1).replace(/\.ndjson\.gz$/, "")

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
 * sink first drops what it holds of that harvest). No request is sent and no credentials read.
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
      const summary = await toPromise(
        pipeline(archiveSource(harvest))
          .through(...(stagesOf(spec.transforms, keysDir) as [Transform<unknown, unknown, unknown, never>]))
          .to(...sinks)
          .run({
            fresh: true,
            signal,
            stateDir: settings.stateDir,
            epochMaxRecords: settings.commitEvery,
            epochMaxMs: settings.commitSeconds * 1000
          })
      )
      summaries.push({ ...summary, responses: summary.pages })
      if (summary.status === "interrupted") {
        output.notice(`interrupted: replay of ${harvest.harvestId} stopped after ${summary.recordsOut} records; run it again to rebuild`)
        return exitCodeForSignal(signal.reason)
      }
    }
  } finally {
    await rm(keysDir, { recursive: true, force: true })
  }
  printReplaySummary(input, summaries, sinks)
  return ExitCode.Done
}

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
      }))
    }))
    return
  }
  output.result([
    ...summaries.map((s) =>
      `replayed ${s.harvestId} (${s.stream}): ${s.responses} archived responses → ${s.recordsOut} records` +
        (s.duplicatesDropped > 0 ? ` (${s.duplicatesDropped} repeats dropped)` : "")
    ),
    `into ${sinks.map((sink) => sink.name).join(", ")}; 0 requests sent`
  ].join("\n"))
}
