import { createHash } from "node:crypto"

/**
 * The `Idempotency-Key` of one POSTed batch: derived only from where the batch sits in the harvest
 * (harvest, stream, epoch, sequence within the epoch), so every retry, and the re-delivery of the
 * same epoch after a resume, carries the same key and a receiver can drop duplicates.
 */
export const idempotencyKey = (harvestId: string, stream: string, epoch: number, batchSeq: number): string =>
  createHash("sha256").update(JSON.stringify([harvestId, stream, epoch, batchSeq])).digest("hex").slice(0, 40)
