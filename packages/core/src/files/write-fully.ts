import type { FileHandle } from "node:fs/promises"
import { FileWriteError } from "../errors/file-write-error.js"

/**
 * Writes every byte of `bytes` at `where.position` (or at the file's current offset when absent),
 * or fails with a {@link FileWriteError}. A single `write(2)` may write fewer bytes
 * than asked without an error — a disk that fills mid-write reports 49,152 of 100,000 bytes, and
 * only the *next* write says `ENOSPC` — so the rest is written until done or refused.
 */
export const writeFully = async (
  handle: FileHandle,
  bytes: Uint8Array,
  where: { readonly path: string; readonly position?: number | undefined }
): Promise<void> => {
  const { path, position } = where
  let written = 0
  while (written < bytes.length) {
    let result: { bytesWritten: number }
    try {
      result = await handle.write(bytes, written, bytes.length - written, position === undefined ? null : position + written)
    } catch (cause) {
      throw FileWriteError.of(path, "write", { bytesWritten: written, bytesExpected: bytes.length }, cause)
    }
    if (result.bytesWritten <= 0) {
      // A write that makes no progress and no error would loop forever.
      throw FileWriteError.make({
        path, operation: "write", code: "SHORT_WRITE", reason: "the write made no progress", bytesWritten: written, bytesExpected: bytes.length
      })
    }
    written += result.bytesWritten
  }
}
