import { createHash } from "node:crypto"
import { readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { usageError } from "../cli-error.js"
import { historyDirOf } from "./harvest-history.js"
import { checkpointDirOf } from "./job-checkpoints.js"
import type { RunSpec } from "./job-spec.js"
import { outputSetOf } from "./output-set.js"
import { canonicalJson, makeDirectory, removeStaleTempFiles, writeJsonAtomic } from "@tikflow/core/internal"

interface RunStateFile {
  readonly version: 1
  readonly label: string
  readonly harvestsDone: ReadonlyArray<string>
  readonly jobsDone: ReadonlyArray<string>
}

/** A saved run state, or why the text is not one. */
const parseRunState = (text: string): RunStateFile | string => {
  let saved: Partial<RunStateFile> | null
  try {
    saved = JSON.parse(text) as Partial<RunStateFile> | null
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`
  }
  const strings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === "string")
  if (saved?.version !== 1 || !strings(saved.harvestsDone) || !strings(saved.jobsDone)) {
    return "expected a tikflow run state {version: 1, harvestsDone, jobsDone}"
  }
  return saved as RunStateFile
}

/**
 * A run's progress across its jobs and harvests (one harvest per source: a date range, or a user),
 * in `<state>/runs/<id>.json`. The id hashes what the run asks for and where it writes, so re-running
 * the same command or pipeline file finds it; finished harvests are skipped, the rest resume from their checkpoints.
 * A completed run removes its state (and its checkpoints): running it again starts a new harvest.
 */
export class RunState {
  private constructor(
    readonly id: string,
    readonly dir: string,
    private state: RunStateFile,
    readonly existed: boolean
  ) {}

  static idOf(spec: RunSpec): string {
    // The outputs are part of it: a harvest finished into other outputs is not done for these.
    const request = spec.jobs.map((job) => ({ name: job.name, source: job.source, transforms: job.transforms, outputs: outputSetOf(job.sinks) }))
    return `${spec.label.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40)}-${createHash("sha256").update(canonicalJson(request)).digest("hex").slice(0, 12)}`
  }

  static async open(stateDir: string, spec: RunSpec, fresh: boolean): Promise<RunState> {
    const id = RunState.idOf(spec)
    const runsDir = join(stateDir, "runs")
    const state = new RunState(id, join(runsDir, id), { version: 1, label: spec.label, harvestsDone: [], jobsDone: [] }, false)
    // Checkpoints, run states, histories and the quota ledger a killed run was writing: never renamed, never read.
    for (const dir of [stateDir, runsDir, checkpointDirOf(stateDir), historyDirOf(stateDir)]) await removeStaleTempFiles(dir)
    if (fresh) {
      await state.remove()
      return state
    }
    let text: string
    try {
      text = await readFile(state.file, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
      return state
    }
    const saved = parseRunState(text)
    if (typeof saved === "string") {
      throw usageError(`${state.file}: ${saved}; delete it (or pass --fresh) to start this run over, its finished harvests included`)
    }
    return new RunState(id, state.dir, saved, true)
  }

  private get file(): string {
    return `${this.dir}.json`
  }

  get harvestsDone(): ReadonlyArray<string> {
    return this.state.harvestsDone
  }

  isHarvestDone(harvestId: string): boolean {
    return this.state.harvestsDone.includes(harvestId)
  }

  isJobDone(job: string): boolean {
    return this.state.jobsDone.includes(job)
  }

  async harvestDone(harvestId: string): Promise<void> {
    if (this.isHarvestDone(harvestId)) return
    this.state = { ...this.state, harvestsDone: [...this.state.harvestsDone, harvestId] }
    await this.save()
  }

  async jobDone(job: string): Promise<void> {
    if (this.isJobDone(job)) return
    this.state = { ...this.state, jobsDone: [...this.state.jobsDone, job] }
    await this.save()
  }

  /** Saves after the first harvest starts, so an interrupted run is found again. */
  async save(): Promise<void> {
    await makeDirectory(this.dir)
    await writeJsonAtomic(this.file, this.state)
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true })
    await rm(this.dir, { recursive: true, force: true })
  }
}
