import { join } from "node:path"
import { type Checkpoint, type CheckpointStore, FileCheckpointStore } from "@tikflow/core/internal"
import { sameOutputs } from "./output-set.js"

/** `<state>/checkpoints/`: the runner's checkpoints of every harvest run from the state directory. */
export const checkpointDirOf = (stateDir: string): string => join(stateDir, "checkpoints")
export const checkpointStoreOf = (stateDir: string): FileCheckpointStore => new FileCheckpointStore(checkpointDirOf(stateDir))

/**
 * `store`, saving with each checkpoint what `extra` adds to it: what a job or work-queue item carries
 * in its checkpoints to resume exactly (its day counts, its values stored changed), atomic with them.
 */
export const savingWith = (store: CheckpointStore, extra: (checkpoint: Checkpoint) => object): CheckpointStore => ({
  name: store.name,
  load: (harvestId) => store.load(harvestId),
  save: (checkpoint) => store.save({ ...checkpoint, ...extra(checkpoint) }),
  clear: (harvestId) => store.clear(harvestId)
})

/** A checkpoint file as the CLI saves it: the runner's checkpoint plus the outputs it was saved for. */
interface JobCheckpoint extends Checkpoint {
  readonly outputs?: ReadonlyArray<string>
}

/** Where a job starts: from its checkpoint, from the beginning, or from the beginning because its outputs changed. */
export type JobStart =
  | { readonly type: "resume"; readonly checkpoint: Checkpoint }
  | { readonly type: "beginning" }
  | { readonly type: "outputs-differ"; readonly previous: ReadonlyArray<string> | undefined }

/**
 * The checkpoints of one job: a checkpoint belongs to its harvest AND the set of outputs it was
 * saved for (sinks discard or keep data by the epoch it names, so it means nothing to other
 * outputs). Saved with the outputs; a checkpoint of other outputs is removed before the job runs,
 * so the job starts from the beginning and no later run resumes from it.
 */
export class JobCheckpoints implements CheckpointStore {
  readonly name = "file"
  constructor(private readonly files: FileCheckpointStore, readonly outputs: ReadonlyArray<string>) {}

  /** Decides where the job starts; call before the pipeline opens its sinks. */
  async start(harvestId: string): Promise<JobStart> {
    const saved = (await this.files.load(harvestId)) as JobCheckpoint | undefined
    if (saved === undefined) return { type: "beginning" }
    if (saved.outputs !== undefined && sameOutputs(saved.outputs, this.outputs)) return { type: "resume", checkpoint: saved }
    await this.files.clear(harvestId)
    return { type: "outputs-differ", previous: saved.outputs }
  }

  async load(harvestId: string): Promise<Checkpoint | undefined> {
    const saved = (await this.files.load(harvestId)) as JobCheckpoint | undefined
    return saved?.outputs !== undefined && sameOutputs(saved.outputs, this.outputs) ? saved : undefined
  }

  save(checkpoint: Checkpoint): Promise<void> {
    return this.files.save({ ...checkpoint, outputs: this.outputs } as JobCheckpoint)
  }

  clear(harvestId: string): Promise<void> {
    return this.files.clear(harvestId)
  }
}

/** The notice for a job that does not resume although an earlier run of it was interrupted. */
export const outputsDifferNotice = (harvestId: string, previous: ReadonlyArray<string> | undefined): string =>
  `starting harvest ${harvestId} from the beginning: outputs differ from the interrupted run into ` +
  `${previous === undefined ? "outputs it did not record" : previous.join(", ")}`
