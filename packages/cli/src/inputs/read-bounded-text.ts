import { closeSync, openSync, readSync } from "node:fs"
import { usageError } from "../cli-error.js"

export const KiB = 1024
export const MiB = 1024 * KiB

const shownSize = (bytes: number): string => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`)

/**
 * Reads a user-named input file as UTF-8, at most `maxBytes`: a larger file (or an endless one,
 * `/dev/zero`, a pipe that never ends) fails with one line naming the flag and the cap after
 * reading just past the cap, instead of growing memory without bound.
 */
export const readBoundedText = (
  flag: string,
  path: string,
  maxBytes: number,
  cannotRead: (code: string) => string = (code) => `${flag}: cannot read ${path} (${code})`
): string => {
  const fail = (error: unknown) => usageError(cannotRead((error as NodeJS.ErrnoException).code ?? "error"))
  let fd: number
  try {
    fd = openSync(path, "r")
  } catch (error) {
    throw fail(error)
  }
  try {
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, 64 * KiB))
    const chunks: Array<Buffer> = []
    let size = 0
    while (true) {
      let read: number
      try {
        read = readSync(fd, buffer, 0, buffer.length, null)
      } catch (error) {
        throw fail(error)
      }
      if (read === 0) break
      size += read
      if (size > maxBytes) throw usageError(`${flag}: ${path} is larger than ${shownSize(maxBytes)}, the most tikflow reads for it`)
      chunks.push(Buffer.from(buffer.subarray(0, read)))
    }
    return Buffer.concat(chunks, size).toString("utf8")
  } finally {
    closeSync(fd)
  }
}
