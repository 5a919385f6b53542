import { createHash } from "node:crypto"
import { unlink } from "node:fs/promises"
import { join } from "node:path"
import { ConfigError } from "../errors/config-error.js"
import { writeJsonAtomic } from "../files/atomic-write.js"
import { readJsonFile } from "../files/read-json-file.js"
import type { Checkpoint, CheckpointStore } from "./checkpoint-store.js"

const safeName = (harvestId: string): string =>
  /^[A-Za-z0-9._-]{1,100}$/.test(harvestId) && !harvestId.startsWith(".")
    ? harvestId
    : createHash("sha256").update(harvestId).digest("hex").slice(0, 32)

/**
 * Checkpoints as one JSON file per harvest in `stateDir` (`<harvestId>.checkpoint.json`), each
 * save written to a temp file, fsynced and renamed over the old one: a crash leaves either the
 * previous or the new checkpoint, never a torn one.
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly name = "file"
  constructor(readonly stateDir: string) {}

  pathOf(harvestId: string): string {
    return join(this.stateDir, `${safeName(harvestId)}.checkpoint.json`)
  }

  async load(harvestId: string): Promise<Checkpoint | undefined> {
    const parsed = (await readJsonFile(this.pathOf(harvestId), (parseError) => this.corrupt(harvestId, `a JSON checkpoint, got invalid JSON (${parseError})`))) as
      | Checkpoint
      | null
      | undefined
    if (parsed === undefined) return undefined
    if (parsed?.version !== 1 || parsed.harvestId !== harvestId || typeof parsed.epoch !== "number") {
      throw this.corrupt(harvestId, `a version 1 checkpoint of harvest ${harvestId}`)
    }
    return parsed
  }

  /** A checkpoint file that cannot be used: names the file and the way out (the harvest starts over). */
  private corrupt(harvestId: string, expected: string): ConfigError {
    const path = this.pathOf(harvestId)
    return new ConfigError({
      field: path,
      expected,
      message: `${path}: expected ${expected}; delete the file (or run with --fresh) to start this harvest over`
    })
  }

  save(checkpoint: Checkpoint): Promise<void> {
    return writeJsonAtomic(this.pathOf(checkpoint.harvestId), checkpoint)
  }

  async clear(harvestId: string): Promise<void> {
    await unlink(this.pathOf(harvestId)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error
    })
  }
}
