import { randomBytes } from "node:crypto"
import { readdir, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { isProcessAlive } from "./process-alive.js"

// `writeFileAtomic`'s temp files: `.<name>.<pid>-<random>.tmp` next to the target. Hidden (no glob
// like `*.parquet` or `*` in most tools sees them) and tagged with the writing process, so a later
// run can tell a temp file left by a killed process from one a live process is still writing.
const TEMP = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/

/** A fresh temp path for writing `path`, in the same directory (a rename must not cross devices). */
export const tempPathFor = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`)

/** Whether `name` is a temp file of `writeFileAtomic` whose writer is gone (killed mid-write). */
export const isStaleTempFile = (name: string): boolean => {
  const match = TEMP.exec(name)
  return match !== null && !isProcessAlive(Number(match[1]))
}

/**
 * Deletes the temp files that killed processes left in `dir` (not in its subdirectories); a missing
 * directory has none. Returns how many went. Temp files of live processes stay.
 */
export const removeStaleTempFiles = async (dir: string): Promise<number> => {
  let names: Array<string>
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return 0
    throw error
  }
  let removed = 0
  for (const name of names) {
    if (!isStaleTempFile(name)) continue
    await rm(join(dir, name), { force: true })
    removed++
  }
  return removed
}
