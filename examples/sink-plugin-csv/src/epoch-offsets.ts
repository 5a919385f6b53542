import { writeJsonAtomic } from "@tikflow/core"
import { readFile } from "node:fs/promises"

/**
 * The CSV file's byte length after each committed epoch, kept in `<file>.offsets.json`. A resumed
 * run cuts the file back to the length at the last committed epoch: rows of later epochs were never
 * acknowledged and are about to be delivered again.
 */
export interface EpochOffsets {
  readonly harvestId: string
  /** Length before this harvest started writing (earlier harvests' rows stay). */
  readonly startBytes: number
  readonly epochs: ReadonlyArray<readonly [epoch: number, bytes: number]>
}

const sidecar = (file: string) => `${file}.offsets.json`

export const readEpochOffsets = async (file: string): Promise<EpochOffsets | undefined> => {
  try {
    return JSON.parse(await readFile(sidecar(file), "utf8")) as EpochOffsets
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}

/** Written atomically, so a crash leaves the old or the new sidecar, never half. */
export const writeEpochOffsets = (file: string, offsets: EpochOffsets): Promise<void> => writeJsonAtomic(sidecar(file), offsets)

export const recordEpoch = (offsets: EpochOffsets, epoch: number, bytes: number): EpochOffsets => ({
  ...offsets,
  // The runner commits right after a flush, so only the last few epochs can be resume points.
  epochs: [...offsets.epochs.filter(([e]) => e < epoch), [epoch, bytes] as const].slice(-32)
})

export const bytesAtEpoch = (offsets: EpochOffsets, committedEpoch: number): number => {
  let bytes = offsets.startBytes
  for (const [epoch, length] of offsets.epochs) if (epoch <= committedEpoch) bytes = length
  return bytes
}
