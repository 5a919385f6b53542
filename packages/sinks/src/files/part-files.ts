import { isStaleTempFile } from "@tikflow/core/internal"
import { createHash } from "node:crypto"
import { readdir, rm } from "node:fs/promises"
import { join } from "node:path"

// Part files are named `part-<harvest>-e<epoch>-<seq>.<ext>`: the harvest tag keeps harvests
// writing into one directory apart, and the epoch tells a resumed run which parts were never
// acknowledged (epoch > the last committed one) and must go.

const PART = /^part-([0-9a-f]{10})-e(\d{10})-(\d{6})\.([a-z]+)(\.tmp)?$/

/** A short stable tag for a harvest id, safe in file names. */
export const harvestTag = (harvestId: string): string => createHash("sha256").update(harvestId).digest("hex").slice(0, 10)

export const partFileName = (tag: string, epoch: number, seq: number, extension: string): string =>
  `part-${tag}-e${String(epoch).padStart(10, "0")}-${String(seq).padStart(6, "0")}.${extension}`

export interface PartName {
  readonly tag: string
  readonly epoch: number
  readonly seq: number
  readonly extension: string
  readonly temporary: boolean
}

export const parsePartFileName = (name: string): PartName | undefined => {
  const m = PART.exec(name)
  return m === null ? undefined : { tag: m[1], epoch: Number(m[2]), seq: Number(m[3]), extension: m[4], temporary: m[5] !== undefined }
}

const walk = async function* (dir: string): AsyncGenerator<{ dir: string; name: string }> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  for (const entry of entries) {
    if (entry.isDirectory()) yield* walk(join(dir, entry.name))
    else yield { dir, name: entry.name }
  }
}

/**
 * Deletes this harvest's parts under `dir` that were never acknowledged: epochs after
 * `committedEpoch` (all of them for a fresh run, `committedEpoch` undefined), any torn `.tmp` of
 * an older version's naming, and the temp files killed writers left (see `isStaleTempFile`).
 * Returns how many files went, and the highest sequence number kept, so new parts never reuse a name.
 */
export const discardUnacknowledgedParts = async (
  dir: string,
  tag: string,
  committedEpoch: number | undefined
): Promise<{ readonly removed: number; readonly maxSeq: number }> => {
  let removed = 0
  let maxSeq = -1
  for await (const file of walk(dir)) {
    if (isStaleTempFile(file.name)) {
      // A part a killed process (of any harvest) was writing: never renamed, never committed.
      await rm(join(file.dir, file.name), { force: true })
      removed++
      continue
    }
    const part = parsePartFileName(file.name)
    if (part === undefined || part.tag !== tag) continue
    if (part.temporary || committedEpoch === undefined || part.epoch > committedEpoch) {
      await rm(join(file.dir, file.name), { force: true })
      removed++
    } else {
      maxSeq = Math.max(maxSeq, part.seq)
    }
  }
  return { removed, maxSeq }
}
