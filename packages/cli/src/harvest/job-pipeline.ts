import { rm } from "node:fs/promises"
import { join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import {
  type BoundSink,
  type ChangesJournal,
  type CheckpointStore,
  dedupe,
  enrichAs,
  lookupFromSource,
  lookupJoin,
  persistentKeys,
  pipeline,
  type PipelineSummary,
  type ProgressEvent,
  type ProvisionalDays,
  type Source,
  toPromise,
  type Transform
} from "@tikflow/core/internal"
import { TikTokClient, userInfo } from "@tikflow/sources/internal"
import type { GlobalSettings } from "../args/global-settings.js"
import { idCollector } from "./id-collector.js"
import type { JobSpec, RunSpec, TransformSpec } from "./job-spec.js"
import type { OpenRun } from "./open-run.js"
import { queueCollector } from "./work-queue-collector.js"

/** Runs one pipeline of the job: its source through its stages into its sinks (and the id collector later jobs read). */
export const runJobPipeline = async (
  run: OpenRun,
  job: JobSpec,
  source: Source<any, TikTokClient>,
  checkpoints: CheckpointStore,
  signal: AbortSignal,
  fresh: boolean,
  onEvent: (event: ProgressEvent) => void,
  /** Where the sinks' changed values are held until counted (the run's state). */
  changesJournal: ChangesJournal,
  internalSinks: ReadonlyArray<BoundSink> = [],
  pass: {
    /** Video harvests: which rows are of provisional days, and the days this pass fetches again. */
    readonly provisional?: ProvisionalDays | undefined
    /** The epoch the pass began after (`PipelineRunOptions.resumeFloor`); a work-queue item has none. */
    readonly resumeFloor?: number | undefined
  } = {}
): Promise<PipelineSummary> => {
  const { settings } = run.input
  const jobSinks = [...run.prepared.sinks.get(job.name)!, ...internalSinks]
  const fields = run.collect.get(job.name)
  if (fields !== undefined) {
    const queueId = run.queueIds.get(job.name)
    jobSinks.push(run.workQueue !== undefined && queueId !== undefined
      ? queueCollector(run.workQueue, queueId, job.name, fields)
      : idCollector(run.runState.dir, job.name, fields))
  }
  const pipelineRun = pipeline(source)
    .through(...(stagesOf(job.transforms, deliveredKeysDir(settings.stateDir)) as [Transform<unknown, unknown, unknown, never>]))
    .to(...jobSinks)
    .run({
      checkpoints,
      signal: run.limit?.signalFor(signal) ?? signal,
      stateDir: settings.stateDir,
      fresh,
      archive: archiveDirOf(settings, run.spec),
      provisional: pass.provisional,
      resumeFloor: pass.resumeFloor,
      changesJournal,
      onProgress: (event) => {
        onEvent(event)
        if (event.type === "records-out" && event.stage === "sinks") {
          run.written += event.records
          run.limit?.count(event.records)
        }
        run.display.listener(event)
      },
      epochMaxRecords: settings.commitEvery,
      epochMaxMs: settings.commitSeconds * 1000
    })
  return toPromise(Effect.provideService(pipelineRun, TikTokClient, run.client.service) as Effect.Effect<PipelineSummary, unknown>)
}

/**
 * Where raw responses are archived: `--archive`/`--no-archive`, else the pipeline file's
 * `archive:`, else `<state>/archive`. Undefined: no archive.
 */
const archiveDirOf = (settings: GlobalSettings, spec: RunSpec): string | undefined => {
  const chosen = settings.archive ?? (typeof spec.archive === "string" ? resolve(spec.archive) : spec.archive)
  return chosen === false ? undefined : chosen ?? join(settings.stateDir, "archive")
}

/** Where each harvest's delivered keys live: `<state>/dedupe/<harvestId>/dedupe/`. */
const deliveredKeysDir = (stateDir: string): string => join(stateDir, "dedupe")

/** A finished harvest (or work-queue item) no longer needs its delivered keys. */
export const dropDeliveredKeys = (stateDir: string, harvestId: string): Promise<void> =>
  rm(join(deliveredKeysDir(stateDir), harvestId), { recursive: true, force: true })

/**
 * The job's stages. `dedupe` (on by default) keeping the first occurrence keeps its keys under
 * `--state`, committed with each epoch: the API repeats records across pages and a split window
 * reads its pages again, and only keys committed with the checkpoint let a resumed run drop what
 * an earlier run delivered, whatever the sink. Keeping the last occurrence holds every record
 * until the end (one commit, nothing to resume from), so it needs no keys on disk.
 */
export const stagesOf = (transforms: ReadonlyArray<TransformSpec>, keysDir: string): Array<Transform<any, any, any, any>> =>
  transforms.map((transform) =>
    transform.kind === "dedupe"
      ? dedupe(transform.keep === "first" ? { store: persistentKeys(keysDir) } : { keep: { last: transform.keep.last } })
      : lookupJoin({
        name: `join-${transform.as}`,
        key: (record: Record<string, unknown>) => {
          const value = record[transform.on]
          return typeof value === "string" && value !== "" ? value : null
        },
        lookup: lookupFromSource("user_info", (usernames) => userInfo({ usernames })),
        combine: enrichAs(transform.as),
        onMiss: transform.miss
      })
  )
