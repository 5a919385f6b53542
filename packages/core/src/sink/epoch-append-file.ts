import type { FileHandle } from "node:fs/promises"
import { open, readFile, rm } from "node:fs/promises"
import { dirname } from "node:path"
import { writeJsonAtomic } from "../files/atomic-write.js"
import { removeStaleTempFiles } from "../files/temp-files.js"
import { writeFully } from "../files/write-fully.js"
import type { SinkLogger, StreamContext } from "./sink-plugin.js"
import { applyRewrite, filterTail, rewritePath } from "./tail-rewrite.js"
import { makeDirectory } from "../files/make-directory.js"

/**
 * A file a sink appends to, which remembers its length at each committed epoch in a sidecar
 * (`<file>.tikflow-offsets.json`) so a resumed run can cut off what later, unacknowledged epochs
 * wrote: those records are about to be delivered again. The one home of this logic for NDJSON,
 * the CSV example and any line-oriented plugin.
 *
 * Call `discardUncommitted` first (a contract 2 writer forwards its hook to it), then `append` and
 * `commit(epoch)` at each flush; `append` before `discardUncommitted` throws.
 */
export interface EpochAppendFile {
  readonly path: string
  /** The file's length in bytes, after what was appended so far. */
  readonly size: number
  /** Cuts the file back to its length at `resume.epoch` (or to this harvest's start when undefined). */
  discardUncommitted(resume: { readonly epoch: number } | undefined): Promise<void>
  append(data: string | Uint8Array): Promise<void>
  /**
   * Remembers that lines of `group` (e.g. a provisional day) start at or after the current end,
   * unless the group is marked already; recorded with the next `commit`. `dropLines` starts there.
   */
  mark(group: string): void
  /**
   * Removes the lines `drop` selects from where the earliest of `groups` was marked to the end of
   * the file, rewriting only that tail (cost proportional to it), then forgets those marks. Call it
   * before appending the replacements (after `discardUncommitted`). Crash-safe: the new tail is
   * written to `<file>.tikflow-rewrite` and recorded in the sidecar first, and an interrupted
   * rewrite is finished by the next `discardUncommitted`. Returns the number of lines removed.
   */
  dropLines(groups: ReadonlyArray<string>, drop: (line: string) => boolean): Promise<number>
  /** fsyncs the file, then records its length as epoch `epoch`'s. */
  commit(epoch: number): Promise<void>
  close(): Promise<void>
}

/** The sidecar: the file's byte length before this harvest and after each committed epoch. */
interface Offsets {
  readonly version: 1
  readonly harvestId: string
  /** The file's length before this harvest wrote to it (earlier harvests' data stays). */
  readonly startBytes: number
  /** [epoch, bytes] after each commit, oldest first, the last `KEEP` only. */
  readonly epochs: ReadonlyArray<readonly [number, number]>
  /** Set once older entries were dropped: a resume point before the kept ones is then unknown. */
  readonly trimmed?: boolean
  /** Where each marked group's lines start (`mark`); a group's lines are all at or after it. */
  readonly marks?: Readonly<Record<string, number>>
  /**
   * `[from, to)`: bytes whose lines may belong to any group unmarked — the file held data when this
   * sidecar started (an older tikflow's, or another harvest's since): `dropLines` reads it too.
   */
  readonly unmarked?: readonly [number, number]
  /** A `dropLines` rewrite in progress: the new tail (in `<file>.tikflow-rewrite`) goes at `from`. */
  readonly rewrite?: { readonly from: number; readonly length: number }
}

// The runner saves its checkpoint right after every sink flushed, so it lags at most an epoch or
// two behind the sidecar; a generous window keeps any plausible resume point.
const KEEP = 64

export const epochOffsetsPath = (file: string): string => `${file}.tikflow-offsets.json`

const readOffsets = async (file: string): Promise<Offsets | undefined> => {
  try {
    return JSON.parse(await readFile(epochOffsetsPath(file), "utf8")) as Offsets
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new Error(`${epochOffsetsPath(file)}: unreadable offsets sidecar (${(error as Error).message}); delete it to start over`)
  }
}

const withEpoch = (offsets: Offsets, epoch: number, bytes: number): Offsets => {
  const epochs = [...offsets.epochs.filter(([e]) => e < epoch), [epoch, bytes] as const]
  return epochs.length > KEEP ? { ...offsets, epochs: epochs.slice(-KEEP), trimmed: true } : { ...offsets, epochs }
}

/**
 * The length to cut back to when resuming after `committedEpoch`: at the last entry ≤ it, or where
 * this harvest started when the file's first commit came later (a file opened mid-harvest).
 */
const lengthAt = (offsets: Offsets, committedEpoch: number): number => {
  let bytes: number | undefined
  for (const [epoch, length] of offsets.epochs) if (epoch <= committedEpoch) bytes = length
  if (bytes !== undefined) return bytes
  if (offsets.trimmed === true) {
    throw new Error(`cannot resume at epoch ${committedEpoch}: the offsets sidecar only goes back to epoch ${offsets.epochs[0]?.[0]}`)
  }
  return offsets.startBytes
}

// Two streams appending to one file would interleave and make cutting back unsafe. The same
// stream may reopen a file (the runner reopens at a lower epoch; a crashed writer is abandoned).
const owners = new Map<string, string>()

const claim = (path: string, stream: string): void => {
  const owner = owners.get(path)
  if (owner !== undefined && owner !== stream) {
    throw new Error(`${path} is already written by another stream (${owner}); give each stream its own file`)
  }
  owners.set(path, stream)
}

const openReadWrite = async (path: string): Promise<FileHandle> => {
  await makeDirectory(dirname(path))
  await removeStaleTempFiles(dirname(path)) // offsets sidecars a killed run was writing
  // r+ (not append mode): positional writes and truncation.
  return open(path, "r+").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? open(path, "w+") : Promise.reject(error)))
}

/** Finishes a rewrite a crash interrupted (the sidecar names it); returns the offsets without it. */
const finishRewrite = async (handle: FileHandle, path: string, offsets: Offsets): Promise<Offsets> => {
  if (offsets.rewrite === undefined) return offsets
  await applyRewrite(handle, path, offsets.rewrite)
  const { rewrite: _done, ...finished } = offsets
  await writeJsonAtomic(epochOffsetsPath(path), finished)
  await rm(rewritePath(path), { force: true })
  return finished
}

/** Cuts `handle` back to where this harvest's committed epochs end; returns the new offsets. */
const cutBack = async (
  handle: FileHandle,
  path: string,
  harvestId: string,
  resume: { readonly epoch: number } | undefined,
  logger: SinkLogger | undefined
): Promise<Offsets> => {
  const read = await readOffsets(path)
  const previous = read === undefined ? undefined : await finishRewrite(handle, path, read)
  const size = (await handle.stat()).size
  if (previous === undefined || previous.harvestId !== harvestId) {
    if (resume !== undefined) logger?.warn(`${path}: no offsets for this harvest; appending without cutting back`)
    return { version: 1, harvestId, startBytes: size, epochs: [], marks: {}, ...(size > 0 ? { unmarked: [0, size] as const } : {}) }
  }
  // Same harvest: resumed (cut back to the committed epoch) or restarted (cut back to its start).
  const keep = resume === undefined ? previous.startBytes : lengthAt(previous, resume.epoch)
  if (keep < size) {
    await handle.truncate(keep)
    await handle.sync()
    logger?.info(`${path}: cut ${size - keep} byte(s) of unacknowledged epochs`)
  }
  const end = Math.min(keep, size)
  return {
    ...previous,
    epochs: previous.epochs.filter(([e]) => resume !== undefined && e <= resume.epoch),
    // Marks of lines cut off go with them; a sidecar of an older tikflow has none: all it covers is unmarked.
    marks: Object.fromEntries(Object.entries(previous.marks ?? {}).filter(([, at]) => at < end)),
    ...(previous.marks === undefined && previous.startBytes < end ? { unmarked: [previous.startBytes, end] as const } : {}),
    ...(previous.unmarked === undefined ? {} : { unmarked: [previous.unmarked[0], Math.min(previous.unmarked[1], end)] as const })
  }
}

/** Opens (creating it and its directory if needed) an epoch-tagged append file for one stream. */
export const openEpochAppendFile = async (
  path: string,
  context: Pick<StreamContext, "harvestId" | "stream"> & { readonly logger?: SinkLogger }
): Promise<EpochAppendFile> => {
  claim(path, context.stream)
  let handle: FileHandle
  try {
    handle = await openReadWrite(path)
  } catch (error) {
    owners.delete(path)
    throw error
  }
  let offsets: Offsets | undefined
  let size = 0
  let closed = false
  /** Groups marked since the last commit. */
  let marking: Record<string, number> = {}
  const ready = (): Offsets => {
    if (offsets === undefined) throw new Error(`${path}: discardUncommitted must run before the first append or commit`)
    return offsets
  }
  return {
    path,
    get size() {
      return size
    },
    async discardUncommitted(resume) {
      marking = {}
      offsets = await cutBack(handle, path, context.harvestId, resume, context.logger)
      await writeJsonAtomic(epochOffsetsPath(path), offsets)
      size = (await handle.stat()).size
    },
    async append(data) {
      ready()
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data
      if (bytes.length === 0) return
      // Every byte or a typed failure: a short write must not leave a hole the offsets then count.
      await writeFully(handle, bytes, { path, position: size })
      size += bytes.length
    },
    mark(group) {
      if (ready().marks?.[group] === undefined && marking[group] === undefined) marking[group] = size
    },
    async dropLines(groups, drop) {
      const current = ready()
      const starts = groups.flatMap((group) => current.marks?.[group] ?? [])
      if (current.unmarked !== undefined && current.unmarked[0] < current.unmarked[1]) {
        starts.push(current.unmarked[0])
        context.logger?.info(`${path}: reading from byte ${current.unmarked[0]}: lines written before its offsets sidecar carry no marks`)
      }
      const from = Math.min(...starts)
      if (!(from < size)) return 0
      const marks = Object.entries(current.marks ?? {}).filter(([group]) => !groups.includes(group))
      const { length, moved, removed } = await filterTail(handle, path, from, size, drop, [
        size, current.startBytes, ...current.epochs.map(([, at]) => at), ...marks.map(([, at]) => at), ...(current.unmarked ?? [])
      ])
      if (removed === 0) return 0
      const at = (p: number) => (p < from ? p : moved.get(p)!)
      const next: Offsets = {
        ...current,
        startBytes: at(current.startBytes),
        epochs: current.epochs.map(([epoch, bytes]) => [epoch, at(bytes)] as const),
        marks: Object.fromEntries(marks.map(([group, mark]) => [group, at(mark)])),
        ...(current.unmarked === undefined ? {} : { unmarked: [at(current.unmarked[0]), at(current.unmarked[1])] as const }),
        rewrite: { from, length }
      }
      // The new tail is whole on disk; the sidecar naming it next: from then on, a crash is finished on reopen.
      await writeJsonAtomic(epochOffsetsPath(path), next)
      offsets = await finishRewrite(handle, path, next)
      size = from + length
      return removed
    },
    async commit(epoch) {
      const current = ready()
      await handle.sync()
      offsets = withEpoch({ ...current, marks: { ...current.marks, ...marking } }, epoch, size)
      await writeJsonAtomic(epochOffsetsPath(path), offsets)
      marking = {}
    },
    async close() {
      if (closed) return
      closed = true
      if (owners.get(path) === context.stream) owners.delete(path)
      await handle.close()
    }
  }
}
