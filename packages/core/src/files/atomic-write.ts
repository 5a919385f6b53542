import type { FileHandle } from "node:fs/promises"
import { open, rename, rm } from "node:fs/promises"
import { dirname } from "node:path"
import { FileWriteError } from "../errors/file-write-error.js"
import { tempPathFor } from "./temp-files.js"
import { writeFully } from "./write-fully.js"
import { makeDirectory } from "./make-directory.js"

export interface AtomicWriteOptions {
  /**
   * Bytes the file must start and end with (a format's magic, e.g. `PAR1` for Parquet), checked
   * on disk before the file takes its name: a file that fails is never seen under it.
   */
  readonly magic?: { readonly head?: Uint8Array; readonly tail?: Uint8Array }
  /**
   * `false`: neither the file nor its directory is fsynced, for a file something else makes durable:
   * still whole under its name, and a killed process's write survives it (the page cache does), a power cut may not.
   */
  readonly durable?: boolean
}

/** fsyncs a directory so a rename in it survives a crash (a no-op where directories can't be opened). */
export const syncDirectory = async (dir: string): Promise<void> => {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, "r")
    await handle.sync()
  } catch {
    // Some platforms refuse to open or sync directories; the rename is still atomic there.
  } finally {
    await handle?.close()
  }
}

const chunksOf = (data: string | Uint8Array | ReadonlyArray<Uint8Array>): ReadonlyArray<Uint8Array> =>
  typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i])

/** Reads back the written file's size and magic bytes: what a reader will find, not what was meant. */
const verify = async (handle: FileHandle, path: string, expected: number, magic: AtomicWriteOptions["magic"]) => {
  const fail = (reason: string) =>
    FileWriteError.make({ path, operation: "verify", code: "VERIFY", reason, bytesWritten: expected, bytesExpected: expected })
  const { size } = await handle.stat()
  if (size !== expected) throw fail(`${size} bytes on disk, ${expected} written`)
  const check = async (bytes: Uint8Array | undefined, at: number, where: string) => {
    if (bytes === undefined) return
    const read = new Uint8Array(bytes.length)
    const { bytesRead } = await handle.read(read, 0, bytes.length, Math.max(0, at))
    if (bytesRead !== bytes.length || !sameBytes(read, bytes)) throw fail(`the file does not ${where} with its format's magic bytes`)
  }
  await check(magic?.head, 0, "start")
  await check(magic?.tail, expected - (magic?.tail?.length ?? 0), "end")
}

/**
 * Writes `path` so that it either keeps its old content or holds exactly `data`: every byte goes to
 * a temp file in the same directory (short writes continued, see {@link writeFully}), which is
 * fsynced, checked (size, and `options.magic`), renamed over `path`, and the directory fsynced.
 * Fails with a {@link FileWriteError} — `ENOSPC` on a full disk — leaving no temp file behind; one
 * a killed process leaves is hidden and named for its process (see `removeStaleTempFiles`).
 */
export const writeFileAtomic = async (
  path: string,
  data: string | Uint8Array | ReadonlyArray<Uint8Array>,
  options: AtomicWriteOptions = {}
): Promise<void> => {
  const dir = dirname(path)
  await makeDirectory(dir)
  const temp = tempPathFor(path)
  const chunks = chunksOf(data)
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  let written = 0
  let handle: FileHandle | undefined
  let step: FileWriteError["operation"] = "open"
  try {
    handle = await open(temp, "wx+")
    step = "write"
    for (const chunk of chunks) {
      await writeFully(handle, chunk, { path }).catch((cause: FileWriteError) => {
        throw FileWriteError.of(path, "write", { bytesWritten: written + cause.bytesWritten, bytesExpected: total }, cause)
      })
      written += chunk.length
    }
    step = "sync"
    if (options.durable !== false) await handle.sync()
    step = "verify"
    await verify(handle, path, total, options.magic)
    await handle.close()
    handle = undefined
    step = "rename"
    await rename(temp, path)
  } catch (cause) {
    await handle?.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw cause instanceof FileWriteError ? cause : FileWriteError.of(path, step, { bytesWritten: written, bytesExpected: total }, cause)
  }
  if (options.durable !== false) await syncDirectory(dir)
}

/** {@link writeFileAtomic} of `JSON.stringify(value)`. */
export const writeJsonAtomic = (path: string, value: unknown): Promise<void> => writeFileAtomic(path, JSON.stringify(value))
