import { readFile, rename, stat } from "node:fs/promises"
import { promisify } from "node:util"
import { gzip } from "node:zlib"
import { epochOffsetsPath, openEpochAppendFile } from "../sink/epoch-append-file.js"
import type { SinkLogger } from "../sink/sink-plugin.js"
import type { RawResponse } from "../source/source.js"
import { ARCHIVE_SUFFIX, archiveFileOf, archiveLinePieces } from "./archive-format.js"
import { readArchiveFile } from "./archive-reader.js"

const gzipAsync = promisify(gzip)

/**
 * Lines are gathered up to this size, then written as one gzip member (bounded memory, good ratio).
 * 2 MiB members (half as many thread-pool round trips) measured no less CPU and ~5 MB more peak RSS.
 */
const MEMBER_BYTES = 1 << 20

/**
 * zlib's fastest level: on the API's JSON it costs ~2.2 µs of CPU per record against ~5.6 at the
 * default level 6, for archives ~20% larger (4.9 vs 4.0 MB per 50,000 sandbox videos; bench/findings.md).
 */
export const ARCHIVE_GZIP_LEVEL = 1

/**
 * zlib's largest hash table (memLevel 9, 128 kB more per member in flight): ~5% less CPU than the
 * default 8 at level 1 for the same size (2.0 vs 1.9 µs per record on 50,000 sandbox videos).
 */
const ARCHIVE_GZIP_MEM_LEVEL = 9

/**
 * Members being compressed (on libuv's thread pool) and written while the harvest goes on; a page
 * waits only when this many are already on their way, so memory stays bounded.
 */
const MEMBERS_IN_FLIGHT = 2

/**
 * The raw archive of one harvest, written as the runner delivers pages and committed with their
 * epoch (before the checkpoint is saved): a crash leaves no response of an unacknowledged page,
 * since a resume cuts the file back to the committed epoch (core's epoch append file).
 */
export interface ResponseArchive {
  readonly path: string
  /**
   * Archives a page's responses as part of epoch `epoch` (not yet committed). Returns a promise
   * only when the caller must wait (members in flight at their bound) or an earlier member failed;
   * `undefined`: taken, go on (a page need not pay a promise and a suspension to be archived).
   */
  append(responses: ReadonlyArray<RawResponse>, epoch: number): Promise<void> | undefined
  /**
   * Makes everything appended so far durable as epoch `epoch`; what is appended while it runs
   * belongs to a later epoch and is not part of it.
   */
  commit(epoch: number): Promise<void>
  close(): Promise<void>
}

/**
 * Opens `<dir>/<harvest id>.ndjson.gz`, cut back to `resume.epoch`. A harvest that starts from
 * scratch (`--fresh`, other outputs, a lost checkpoint) first keeps an existing archive of it aside
 * as `<harvest id>.<time>.replaced.ndjson.gz`: raw responses cost quota and are never deleted.
 */
export const openResponseArchive = async (
  dir: string,
  context: {
    readonly harvestId: string
    readonly stream: string
    readonly resume: { readonly epoch: number } | undefined
    /** The source starts from the beginning of its plan (no saved state): this run starts a pass. */
    readonly newPass: boolean
    readonly logger?: SinkLogger | undefined
  }
): Promise<ResponseArchive> => {
  const path = archiveFileOf(dir, context.harvestId)
  if (context.resume === undefined) await keepAside(path, context.logger)
  const file = await openEpochAppendFile(path, { harvestId: context.harvestId, stream: context.stream, logger: context.logger })
  try {
    await file.discardUncommitted(context.resume)
  } catch (error) {
    await file.close()
    throw error
  }
  const pass = context.newPass ? (context.resume?.epoch ?? 0) + 1 : await lastPassIn(path)
  // Each line's pieces (a format 2 line's body is the response's own bytes) are copied once, into
  // the member as it is appended: the response's buffers die young (freed by a scavenge) instead
  // of waiting, promoted, for the member to fill and then for a full collection. Member buffers
  // are reused: a fresh 1 MiB one per member was garbage only a full collection frees.
  const members = memberBuffers()
  let member = members.take()
  let pendingBytes = 0
  // Members are compressed and appended in order, off the page's path: `writing` is the chain of
  // appends, `inFlight` how many members it still holds; its first failure (`failed`) fails the next call.
  let writing: Promise<void> = Promise.resolve()
  let inFlight = 0
  let failed: { readonly error: unknown } | undefined
  const startMember = () => {
    if (pendingBytes === 0) return
    const full = member
    const bytes = full.subarray(0, pendingBytes)
    member = members.take()
    pendingBytes = 0
    inFlight++
    // Output chunks of a quarter member: a compressed member mostly fits one (zlib's default of
    // 16 kB cost a main-thread callback each; a whole member's size a 1 MiB buffer per member).
    const compressed = gzipAsync(bytes, { level: ARCHIVE_GZIP_LEVEL, memLevel: ARCHIVE_GZIP_MEM_LEVEL, chunkSize: MEMBER_BYTES / 4 })
    // zlib reads the member until it settles; a failed compression surfaces through the chain,
    // never as an unhandled rejection.
    compressed.then(() => members.give(full), () => undefined)
    writing = writing.then(async () => file.append(await compressed)).finally(() => inFlight--)
    writing.catch((error) => (failed ??= { error }))
  }
  return {
    path,
    append(responses, epoch) {
      if (failed !== undefined) return Promise.reject(failed.error)
      for (const response of responses) {
        const pieces = archiveLinePieces(context.harvestId, epoch, pass, response)
        let lineBytes = 0
        for (const piece of pieces) lineBytes += piece.length
        // A line that does not fit ends the member before it; one larger than a member has its own.
        if (pendingBytes + lineBytes > member.length) {
          startMember()
          if (lineBytes > member.length) member = members.oversized(member, lineBytes)
        }
        for (const piece of pieces) {
          member.set(piece, pendingBytes)
          pendingBytes += piece.length
        }
      }
      // Waits for the chain only when it is full (which surfaces its failure too).
      return inFlight >= MEMBERS_IN_FLIGHT ? writing : undefined
    },
    async commit(epoch) {
      startMember()
      // In the chain of appends: the next epoch's members (appended while this commit is awaited,
      // as a pipelined runner does) are written after the length recorded for this one.
      const committed = writing.then(() => file.commit(epoch))
      writing = committed
      await committed
    },
    async close() {
      // Lines still pending belong to an epoch never committed: a resume would cut them anyway.
      pendingBytes = 0
      await writing.catch(() => undefined)
      await file.close()
    }
  }
}

/**
 * The member buffers of one archive: those zlib has finished reading are taken again (about
 * MEMBERS_IN_FLIGHT + 1 exist at a time); a line larger than a member gets a buffer of its own.
 */
const memberBuffers = () => {
  const free: Array<Buffer> = []
  const give = (buffer: Buffer): void => {
    if (buffer.length === MEMBER_BYTES) free.push(buffer)
  }
  return {
    take: (): Buffer => free.pop() ?? Buffer.allocUnsafe(MEMBER_BYTES),
    give,
    oversized: (unused: Buffer, bytes: number): Buffer => {
      give(unused)
      return Buffer.allocUnsafe(bytes)
    }
  }
}

/**
 * The pass of the last archived response, for a run resuming one: read from the file's last
 * committed epoch only (its gzip members start at the commit before it, per the offsets sidecar).
 */
const lastPassIn = async (path: string): Promise<number> => {
  let from = 0
  try {
    const offsets = JSON.parse(await readFile(epochOffsetsPath(path), "utf8")) as { startBytes?: number; epochs?: Array<[number, number]> }
    const epochs = offsets.epochs ?? []
    from = epochs.length >= 2 ? epochs[epochs.length - 2]![1] : (offsets.startBytes ?? 0)
  } catch {
    from = 0
  }
  let last: number | undefined
  for await (const response of readArchiveFile(path, from)) last = response.pass
  return last ?? 1
}

/** Whether the file's offsets sidecar records a committed epoch (else it holds nothing worth keeping). */
const hasCommitted = async (path: string): Promise<boolean> => {
  try {
    const offsets = JSON.parse(await readFile(epochOffsetsPath(path), "utf8")) as { epochs?: unknown }
    return Array.isArray(offsets.epochs) && offsets.epochs.length > 0
  } catch {
    return false
  }
}

const keepAside = async (path: string, logger: SinkLogger | undefined): Promise<void> => {
  const size = await stat(path).then((s) => s.size, () => 0)
  if (size === 0 || !(await hasCommitted(path))) return
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")
  const aside = `${path.slice(0, -ARCHIVE_SUFFIX.length)}.${stamp}.replaced${ARCHIVE_SUFFIX}`
  await rename(path, aside)
  logger?.info(`${path}: the earlier archive of this harvest is kept as ${aside}`)
}
