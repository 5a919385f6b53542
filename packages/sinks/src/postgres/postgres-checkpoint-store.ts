import type { Checkpoint, CheckpointStore } from "@tikflow/core/internal"
import type { PostgresSession, PostgresStatements } from "./postgres-session.js"

/** Records `checkpoint` for `stream`; run inside the data's transaction. */
export const saveCheckpoint = (statements: PostgresStatements, table: string, stream: string, checkpoint: Checkpoint) =>
  statements.query(
    `INSERT INTO ${table} (harvest_id, stream, epoch, state, updated_at) VALUES ($1, $2, $3, $4, $5) ` +
      "ON CONFLICT (harvest_id, stream) DO UPDATE SET epoch = EXCLUDED.epoch, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at",
    [checkpoint.harvestId, stream, checkpoint.epoch, JSON.stringify(checkpoint.state ?? null), checkpoint.updatedAt]
  )

/**
 * Checkpoints stored next to the data, one row per (harvest, stream) in `table`. `load` returns
 * the least advanced stream's checkpoint: every stream has committed at least that epoch, and
 * streams that got further just see upserted re-deliveries.
 */
export const postgresCheckpointStore = (name: string, table: string, stream: string, session: PostgresSession): CheckpointStore => ({
  name,
  load: async (harvestId) => {
    const [row] = await session.query<{ epoch: string; state: string; updated_at: string }>(
      `SELECT epoch, state, updated_at FROM ${table} WHERE harvest_id = $1 ORDER BY epoch ASC LIMIT 1`,
      [harvestId]
    )
    if (row === undefined) return undefined
    return { version: 1, harvestId, epoch: Number(row.epoch), state: stateOf(row.state, harvestId, session), updatedAt: row.updated_at }
  },
  save: async (checkpoint) => void (await saveCheckpoint(session, table, stream, checkpoint)),
  clear: async (harvestId) => void (await session.query(`DELETE FROM ${table} WHERE harvest_id = $1`, [harvestId]))
})

/** A row's state; one that is not JSON (edited by hand) fails naming the server as the session's errors do. */
const stateOf = (text: string, harvestId: string, session: PostgresSession): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw session.failure(`the state of ${harvestId}'s checkpoint is not JSON: ${(error as Error).message}`, error)
  }
}
