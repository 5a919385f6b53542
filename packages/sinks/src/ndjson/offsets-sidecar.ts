import { writeJsonAtomic } from "@tikflow/core"
import { readFile } from "node:fs/promises"

/**
 * What an NDJSON file looked like at each committed epoch: its byte length. A resumed run cuts the
 * file back to the length at the last committed epoch, so records of unacknowledged epochs, which
 * will be delivered again, do not appear twice.
 */
export interface Offsets {
  readonly version: 1
  readonly harvestId: string
  /** The file's length before this harvest wrote to it (earlier harvests' data stays). */
  readonly startBytes: number
  /** [epoch, bytes] after each flush, oldest first, the last `KEEP` only. */
  readonly epochs: ReadonlyArray<readonly [number, number]>
}

// The runner saves its checkpoint right after every sink flushed, so it lags at most an epoch or
// two behind the sidecar; a generous window keeps any plausible resume point.
const KEEP = 64

export const sidecarPath = (file: string): string => `${file}.tikflow-offsets.json`

export const readOffsets = async (file: string): Promise<Offsets | undefined> => {
  try {
    return JSON.parse(await readFile(sidecarPath(file), "utf8")) as Offsets
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new Error(`${sidecarPath(file)}: unreadable offsets sidecar (${(error as Error).message}); delete it to start over`)
  }
}

export const writeOffsets = (file: string, offsets: Offsets): Promise<void> =>
  writeJsonAtomic(sidecarPath(file), offsets)

export const withEpoch = (offsets: Offsets, epoch: number, bytes: number): Offsets => ({
  ...offsets,
  epochs: [...offsets.epochs.filter(([e]) => e < epoch), [epoch, bytes] as const].slice(-KEEP)
})

/** The length to cut back to when resuming after `committedEpoch`. */
export const lengthAt = (offsets: Offsets, committedEpoch: number): number => {
  let bytes: number | undefined
  for (const [epoch, length] of offsets.epochs) if (epoch <= committedEpoch) bytes = length
  if (bytes !== undefined) return bytes
  const oldest = offsets.epochs[0]
  if (oldest !== undefined && committedEpoch > 0) {
    throw new Error(`cannot resume at epoch ${committedEpoch}: the offsets sidecar only goes back to epoch ${oldest[0]}`)
  }
  return offsets.startBytes
}
