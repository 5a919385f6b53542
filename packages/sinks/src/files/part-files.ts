import { isStaleTempFile, syncDirectory } from "@tikflow/core/internal"
import { createHash } from "node:crypto"
import { readdir, rm } from "node:fs/promises"
import { dirname, join } from "node:path"

// Part files are named `part-<harvest>-e<epoch>-<seq>[-d<day>].<ext>`: the harvest tag keeps
// harvests writing into one directory apart, and the epoch tells a resumed run which parts were
// never acknowledged (epoch > the last committed one) and must go. Rows of provisional days go to
// parts of their own, named by day, which a later run fetching that day again removes.

const PART = /^part-([0-9a-f]{10})-e(\d{10})-(\d{6})(?:-d(\d{4}-\d{2}-\d{2}))?\.([a-z]+)(\.tmp)?$/

/** A short stable tag for a harvest id, safe in file names. */
export const harvestTag = (harvestId: string): string => createHash("sha256").update(harvestId).digest("hex").slice(0, 10)

export const partFileName = (tag: string, epoch: number, seq: number, extension: string, day?: string): string =>
  `part-${tag}-e${String(epoch).padStart(10, "0")}-${String(seq).padStart(6, "0")}${day === undefined ? "" : `-d${day}`}.${extension}`

export interface PartName {
  readonly tag: string
  readonly epoch: number
  readonly seq: number
  /** The provisional day whose rows the part holds alone, `YYYY-MM-DD`. */
  readonly day: string | undefined
  readonly extension: string
  readonly temporary: boolean
}

export const parsePartFileName = (name: string): PartName | undefined => {
  const m = PART.exec(name)
  return m === null
    ? undefined
    : { tag: m[1], epoch: Number(m[2]), seq: Number(m[3]), day: m[4], extension: m[5], temporary: m[6] !== undefined }
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

/**
 * This harvest's parts under `dir` holding rows of `days` alone, committed at epochs ≤ `through`:
 * the days a later run fetches again (paths).
 */
export const replacedParts = async (dir: string, tag: string, days: ReadonlySet<string>, through: number): Promise<Array<string>> => {
  const parts: Array<string> = []
  for await (const file of walk(dir)) {
    const part = parsePartFileName(file.name)
    if (part === undefined || part.tag !== tag || part.day === undefined || !days.has(part.day) || part.epoch > through) continue
    parts.push(join(file.dir, file.name))
  }
  return parts
}

/** Deletes {@link replacedParts} (their paths). Idempotent. Returns how many there were. */
export const removeReplacedParts = async (parts: ReadonlyArray<string>): Promise<number> => {
  for (const part of parts) await rm(part, { force: true })
  // Durable before the flush that commits the replacement resolves: a crash must not bring them back.
  for (const changed of new Set(parts.map((part) => dirname(part)))) await syncDirectory(changed)
  return parts.length
}
