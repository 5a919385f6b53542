import { randomBytes } from "node:crypto"
import { mkdir, open, rename } from "node:fs/promises"
import { dirname, join } from "node:path"

/** Writes JSON durably: temp file in the same directory, fsync, rename over the target. */
export const writeJsonAtomic = async (path: string, value: unknown): Promise<void> => {
  await mkdir(dirname(path), { recursive: true })
  const temp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`)
  const handle = await open(temp, "w")
  try {
    await handle.writeFile(JSON.stringify(value))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
}

