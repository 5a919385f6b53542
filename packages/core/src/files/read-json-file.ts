import { readFile } from "node:fs/promises"

/**
 * A state file's JSON: `undefined` when the file does not exist (nothing saved yet); when it is
 * not JSON, the caller's error, made from the parser's message, so each file's message names it
 * and the way out. Any other read failure is thrown as it is.
 */
export const readJsonFile = async (path: string, invalid: (parseError: string) => Error): Promise<unknown> => {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw invalid((error as Error).message)
  }
}
