import type { DuckDBConnection } from "@duckdb/node-api"
import type { Checkpoint, CheckpointStore } from "@tikflow/core/internal"
import { CHECKPOINT_TABLE } from "./duckdb-tables.js"

/** The statement that records `checkpoint` for `stream`; run inside the data's transaction. */
export const saveCheckpointSql = (connection: DuckDBConnection, stream: string, checkpoint: Checkpoint) =>
  connection.run(
    `INSERT OR REPLACE INTO ${CHECKPOINT_TABLE} VALUES ($harvest_id, $stream, $epoch, $state, $updated_at)`,
    {
      harvest_id: checkpoint.harvestId,
      stream,
      epoch: checkpoint.epoch,
      state: JSON.stringify(checkpoint.state ?? null),
      updated_at: checkpoint.updatedAt
    }
  )

/**
 * Checkpoints stored in the database next to the data, one row per (harvest, stream). `load`
 * returns the least advanced stream's checkpoint: every stream has committed at least that
 * epoch, and streams that got further just see upserted re-deliveries.
 */
export const duckdbCheckpointStore = (
  name: string,
  stream: string,
  withConnection: <A>(task: (connection: DuckDBConnection) => Promise<A>) => Promise<A>
): CheckpointStore => ({
  name,
  load: (harvestId) =>
    withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT epoch, state, updated_at FROM ${CHECKPOINT_TABLE} WHERE harvest_id = $harvest_id ORDER BY epoch ASC LIMIT 1`,
        { harvest_id: harvestId }
      )
      const [row] = reader.getRowObjectsJS() as Array<{ epoch: bigint; state: string; updated_at: string }>
      if (row === undefined) return undefined
      return { version: 1, harvestId, epoch: Number(row.epoch), state: JSON.parse(row.state) as unknown, updatedAt: row.updated_at }
    }),
  save: (checkpoint) => withConnection(async (connection) => void (await saveCheckpointSql(connection, stream, checkpoint))),
  clear: (harvestId) =>
    withConnection(async (connection) =>
      void (await connection.run(`DELETE FROM ${CHECKPOINT_TABLE} WHERE harvest_id = $harvest_id`, { harvest_id: harvestId }))
    )
})
