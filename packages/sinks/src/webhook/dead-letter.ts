import { appendFile } from "node:fs/promises"
import { dirname } from "node:path"
import { makeDirectory } from "@tikflow/core/internal"

/** One batch that never got a 2xx: everything needed to replay it, and no secret. */
export interface DeadLetter {
  readonly failed_at: string
  readonly url: string
  readonly idempotency_key: string
  readonly attempts: number
  readonly error: string
  readonly payload: unknown
}

/** Appends dead letters as NDJSON; serialized so concurrent failures never interleave lines. */
export const deadLetterFile = (path: string) => {
  let tail: Promise<void> = Promise.resolve()
  return {
    path,
    append: (letter: DeadLetter): Promise<void> => {
      const run = tail.then(async () => {
        await makeDirectory(dirname(path))
        await appendFile(path, `${JSON.stringify(letter)}\n`, "utf8")
      })
      tail = run.catch(() => undefined)
      return run
    }
  }
}
