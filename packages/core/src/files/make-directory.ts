import { mkdir, stat } from "node:fs/promises"
import { dirname } from "node:path"

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

/** `mkdir` that accepts a directory already there (as `-p` does), and nothing else. */
const makeOne = async (dir: string): Promise<void> => {
  try {
    await mkdir(dir)
  } catch (error) {
    if (codeOf(error) !== "EEXIST" || !(await stat(dir)).isDirectory()) throw error
  }
}

/**
 * `mkdir -p`: creates `dir` and any missing parents. Not Node's `mkdir(…, { recursive: true })`,
 * which never settles where the kernel answers ENOENT for a directory whose parent exists
 * (`/proc/x/y`: it creates the parent again and again); here each level is tried once, so such a
 * path fails at once with the kernel's error, naming the directory (`error.path`).
 */
export const makeDirectory = async (dir: string): Promise<void> => {
  try {
    await makeOne(dir)
  } catch (error) {
    const parent = dirname(dir)
    if (codeOf(error) !== "ENOENT" || parent === dir) throw error
    await makeDirectory(parent)
    await makeOne(dir)
  }
}
