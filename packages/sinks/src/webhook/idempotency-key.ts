import { createHash } from "node:crypto"

/**
 * The `Idempotency-Key` of one POSTed batch: a hash of the harvest, the stream and the primary keys
 * of the batch's records (order-independent). It depends only on what the batch carries, never on
 * where it sits: a retry, and a resumed run that re-sends the same records, carry the same key, while
 * a batch holding other records (a resume regroups pages) always gets a new key, so a receiver that
 * keeps the first body per key never drops a record it has not seen.
 */
export const idempotencyKey = (harvestId: string, stream: string, recordKeys: ReadonlyArray<string>): string =>
  createHash("sha256").update(JSON.stringify([harvestId, stream, [...recordKeys].sort()])).digest("hex").slice(0, 40)

/** A record's primary key as one string: its key columns' values, JSON-encoded together. */
export const recordKeyOf = (primaryKey: ReadonlyArray<string>, record: object): string =>
  JSON.stringify(primaryKey.map((column) => (record as Record<string, unknown>)[column] ?? null))
