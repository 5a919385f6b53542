import type { FileHandle } from "node:fs/promises"
import { open, rename, rm } from "node:fs/promises"
import { dirname } from "node:path"
import { syncDirectory } from "../files/atomic-write.js"
import { tempPathFor } from "../files/temp-files.js"
import { writeFully } from "../files/write-fully.js"

// Rewriting the end of an append file without some of its lines, in chunks: memory stays at a
// chunk whatever the tail's size, and the cost is proportional to the tail, not the file.
const CHUNK = 4 * 1024 * 1024

/** Where a rewritten tail waits until it is copied into place (named in the offsets sidecar). */
export const rewritePath = (file: string): string => `${file}.tikflow-rewrite`

export interface FilteredTail {
  /** Bytes of the new tail (written to `rewritePath(file)`, fsynced). */
  readonly length: number
  readonly removed: number
  /** Where each old offset of `positions` (at line starts, or the end) lands in the rewritten file. */
  readonly moved: ReadonlyMap<number, number>
}

/**
 * Writes `[from, size)` of the file without the lines `drop` selects to `rewritePath(path)`
 * (through a temp file and a rename, so it appears whole), streaming, and says where `positions`
 * move. Nothing is written when no line is dropped.
 */
export const filterTail = async (
  handle: FileHandle,
  path: string,
  from: number,
  size: number,
  drop: (line: string) => boolean,
  positions: ReadonlyArray<number>,
  chunkBytes = CHUNK
): Promise<FilteredTail> => {
  const sorted = [...new Set(positions)].filter((p) => p >= from).sort((a, b) => a - b)
  const moved = new Map<number, number>()
  const temp = tempPathFor(rewritePath(path))
  const out = await open(temp, "w")
  let next = 0
  let written = 0
  let removed = 0
  try {
    let carry: Buffer = Buffer.alloc(0)
    let carryAt = from
    for (let at = from; at < size;) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size - at))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at)
      if (bytesRead === 0) throw new Error(`${path}: shorter than its offsets say (${at} of ${size} bytes)`)
      at += bytesRead
      const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)])
      const kept: Array<Buffer> = []
      let start = 0
      while (start < data.length) {
        const newline = data.indexOf(10, start)
        if (newline === -1 && at < size) break // the line goes on in the next chunk
        const end = newline === -1 ? data.length : newline + 1
        while (next < sorted.length && sorted[next] <= carryAt + start) moved.set(sorted[next++], from + written)
        const line = data.subarray(start, end)
        if (drop(line.toString("utf8"))) removed++
        else {
          kept.push(line)
          written += line.length
        }
        start = end
      }
      const bytes = Buffer.concat(kept)
      await writeFully(out, bytes, { path: temp, position: written - bytes.length })
      carry = Buffer.from(data.subarray(start))
      carryAt += start
    }
    while (next < sorted.length) moved.set(sorted[next++], from + written)
    // Durable only if it replaces the tail: with nothing dropped the side file goes unused.
    if (removed > 0) await out.sync()
  } finally {
    await out.close()
  }
  if (removed > 0) {
    await rename(temp, rewritePath(path))
    await syncDirectory(dirname(path))
  } else {
    await rm(temp, { force: true })
  }
  return { length: written, removed, moved }
}

/**
 * Copies the rewritten tail into place at `from` and cuts the file after it, in chunks. Idempotent
 * (the same bytes at the same place), so a crash at any point is finished by doing it again.
 */
export const applyRewrite = async (
  handle: FileHandle,
  path: string,
  rewrite: { readonly from: number; readonly length: number },
  chunkBytes = CHUNK
): Promise<void> => {
  const source = await open(rewritePath(path), "r").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path}: an interrupted rewrite's ${rewritePath(path)} is ${error.code === "ENOENT" ? "missing" : "unreadable"}; restore it or start the harvest over (--fresh)`)
  })
  try {
    const { size } = await source.stat()
    if (size !== rewrite.length) throw new Error(`${rewritePath(path)}: expected ${rewrite.length} bytes, found ${size}`)
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(1, size)))
    for (let at = 0; at < size;) {
      const { bytesRead } = await source.read(chunk, 0, Math.min(chunk.length, size - at), at)
      await writeFully(handle, chunk.subarray(0, bytesRead), { path, position: rewrite.from + at })
      at += bytesRead
    }
  } finally {
    await source.close()
  }
  await handle.truncate(rewrite.from + rewrite.length)
  await handle.sync()
}
