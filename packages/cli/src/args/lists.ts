import { usageError } from "../cli-error.js"

/** `--username a,b --username c` → `["a", "b", "c"]`, trimmed, empty items refused, duplicates dropped. */
export const parseList = (flag: string, raw: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  const items: Array<string> = []
  for (const chunk of raw ?? []) {
    for (const item of chunk.split(",")) {
      const trimmed = item.trim()
      if (trimmed === "") throw usageError(`${flag}: expected a comma-separated list without empty items, got ${JSON.stringify(chunk)}`)
      if (!items.includes(trimmed)) items.push(trimmed)
    }
  }
  return items
}

export const isVideoId = (value: string): boolean => /^\d{1,20}$/.test(value)
