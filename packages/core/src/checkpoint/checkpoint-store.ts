/**
 * A harvest's saved progress. `state` is the source's own resume state (JSON-serializable: per
 * window cursor, search_id, done, …); `epoch` counts commits, so a sink that wrote data after the
 * last committed epoch can discard it on resume (see `SinkContext.resume`).
 */
export interface Checkpoint {
  readonly version: 1
  readonly harvestId: string
  readonly epoch: number
  readonly state: unknown
  readonly updatedAt: string
}

/**
 * Where checkpoints live. Plain promises so sinks (e.g. DuckDB, storing the checkpoint in the same
 * transaction as the data) can implement it without Effect.
 */
export interface CheckpointStore {
  readonly name: string
  load(harvestId: string): Promise<Checkpoint | undefined>
  save(checkpoint: Checkpoint): Promise<void>
  clear(harvestId: string): Promise<void>
}
