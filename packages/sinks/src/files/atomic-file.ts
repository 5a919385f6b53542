import { mkdir, open, rename, rm } from "node:fs/promises"
import { dirname } from "node:path"

/** fsyncs a directory so a rename in it survives a crash (a no-op where directories can't be opened). */
export const syncDirectory = async (dir: string): Promise<void> => {
  let handle
  try {
    handle = await open(dir, "r")
    await handle.sync()
  } catch {
    // Some platforms refuse to open or sync directories; the rename is still atomic there.
  } finally {
    await handle?.close()
  }
}

/**
 * Writes `path` so that it either does not exist or is complete: the bytes go to `path.tmp`,
 * are fsynced, then renamed into place. A crash leaves at most a `.tmp` file, which readers globbing
 * `*.parquet` / `*.arrow` never see and the next open deletes.
 */
export const writeFileAtomic = async (path: string, chunks: ReadonlyArray<Uint8Array>): Promise<void> => {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const temp = `${path}.tmp`
  const handle = await open(temp, "w")
  try {
    for (const chunk of chunks) await handle.write(chunk)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temp, { force: true })
    throw error
  }
  await handle.close()
  await rename(temp, path)
  await syncDirectory(dir)
}
